using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Shipping.ReportingShipments;

/// <summary>Keeps the accepted orders (what can be shipped, in which baskets or units) and their Shopify order ids, a
/// batch at a time (a transaction per message was, with Orders' own record of the export, the most expensive step of
/// an order's path); a batch that fails is applied a message at a time, so one order holds up only itself.</summary>
public sealed class ShippableOrderConsumer(ShippingDbContext db, TimeProvider clock, ILogger<ShippableOrderConsumer> logger)
    : IConsumer<Batch<OrderAccepted>>, IConsumer<Batch<OrderExported>>
{
    public Task Consume(ConsumeContext<Batch<OrderAccepted>> context) =>
        db.ExecuteOnceEachAsync(context.Message, nameof(ShippableOrderConsumer), async (orders, ct) =>
        {
            var ids = orders.Select(m => m.OrderId).ToList();
            var known = (await db.Orders.Where(o => ids.Contains(o.OrderId)).Select(o => o.OrderId).ToListAsync(ct)).ToHashSet();
            foreach (var m in orders.Where(m => known.Add(m.OrderId))) // accepted again after a retry: same order
            {
                using var span = Traces.ContinueMessage(m, "shipping order recorded");
                db.Orders.Add(new ShippingOrder
                {
                    OrderId = m.OrderId, TenantId = m.TenantId, ConnectionId = m.ConnectionId, Channel = m.Channel.ToString(), ChannelOrderId = m.ChannelOrderId,
                    Order = JsonSerializer.Serialize(m.Order, PlatformJson.Options), UpdatedAt = clock.GetUtcNow(),
                });
            }
        }, logger, context.CancellationToken);

    public Task Consume(ConsumeContext<Batch<OrderExported>> context) =>
        db.ExecuteOnceEachAsync(context.Message, $"{nameof(ShippableOrderConsumer)}.exported", async (exports, ct) =>
        {
            var ids = exports.Select(m => m.OrderId).ToList();
            var orders = await db.Orders.Where(o => ids.Contains(o.OrderId)).ToDictionaryAsync(o => o.OrderId, ct);
            foreach (var m in exports)
            {
                using var span = Traces.ContinueMessage(m, "shipping order exported");
                // OrderAccepted travels on the same queue but may still be in its retries: redelivery waits for it.
                var order = orders.GetValueOrDefault(m.OrderId)
                            ?? throw new InvalidOperationException($"order {m.OrderId} exported before it was recorded as accepted; retried");
                order.ShopifyOrderId = m.ShopifyOrderId;
                order.UpdatedAt = clock.GetUtcNow();
            }
        }, logger, context.CancellationToken);
}

/// <summary>A Shopify fulfilment becomes one shipment of the marketplace order: the carrier resolved for that marketplace
/// (the tenant's overrides first), the packages planned (RMS baskets, Rakuten France units), and ShipmentDispatched for the
/// marketplace adapter to report — or ShipmentRejectedByChannel when the marketplace cannot take it (a carrier Rakuten
/// France does not support and no tracking URL; a number longer than RMS takes). One shipment per fulfilment id, however
/// often Shopify sends it; a later version only adds the delivery.</summary>
public sealed class FulfillmentReportedConsumer(ShippingDbContext db, EventStore<ShippingDbContext> store, TimeProvider clock, ILogger<FulfillmentReportedConsumer> logger)
    : IConsumer<FulfillmentReported>
{
    private static readonly string[] Void = ["cancelled", "failure", "error"];

    public Task Consume(ConsumeContext<FulfillmentReported> context) =>
        db.ExecuteOnceAsync(context, nameof(FulfillmentReportedConsumer), async ct =>
        {
            var m = context.Message;
            var order = await db.Orders.FirstOrDefaultAsync(o => o.ShopifyOrderId == m.ShopifyOrderId, ct)
                        ?? throw new InvalidOperationException($"Shopify order {m.ShopifyOrderId} is not known as exported yet; fulfilment {m.FulfillmentId} retried");
            var now = clock.GetUtcNow();
            var shipment = await db.Shipments.FirstOrDefaultAsync(s => s.FulfillmentId == m.FulfillmentId, ct);
            if (shipment is not null)
            {
                await FulfillmentReports.KeepAsync(db, order, m, now, ct);
                // A refused shipment corrected in Shopify (its tracking, its carrier) is sent again when its new plan goes through.
                if (shipment.Status == ShipmentStatus.Rejected && m.Version > shipment.Version && !Void.Contains(m.Status) && m.Lines.Count > 0)
                {
                    await db.SaveChangesAsync(ct); // the report just kept is what the plan reads
                    var why = await RetryingShipments.ShipmentRetry.ResendAsync(db, store, order, shipment, now, ct);
                    logger.LogInformation("Refused shipment {Shipment} of {Order} corrected in Shopify: {Outcome}", shipment.ShipmentId, order.ChannelOrderId, why ?? "sent again");
                    if (why is null)
                    {
                        return; // the resend carries this version
                    }
                }

                // Reported already, and Shopify changed its tracking since: the marketplace is told the new numbers in place of the old.
                var told = JsonSerializer.Deserialize<string[]>(shipment.TrackingNumbers)!;
                if (shipment.Status is ShipmentStatus.Dispatched or ShipmentStatus.Confirmed && m.Version > shipment.Version && !Void.Contains(m.Status)
                    && m.Lines.Count > 0 && (!told.Order().SequenceEqual(m.TrackingNumbers.Order()) || !string.Equals(m.Carrier, shipment.Carrier, StringComparison.OrdinalIgnoreCase)))
                {
                    var replanned = await ShipmentPlanning.PlanAsync(db, order, m, shipment.ShipmentId, ct);
                    if (replanned is ShipmentWasDispatched && !told.Order().SequenceEqual(m.TrackingNumbers.Order()))
                    {
                        await ShipmentLedger.DecideAsync(db, store, order, shipment, new CorrectTracking(replanned, told.Except(m.TrackingNumbers).ToList()), now, ct);
                        logger.LogInformation("Shipment {Shipment} of {Order}: tracking corrected in Shopify, sent again", shipment.ShipmentId, order.ChannelOrderId);
                        return; // the correction carries this version
                    }
                }

                // The same report again or an older one changes nothing; a later one may bring the delivery.
                await ShipmentLedger.DecideAsync(db, store, order, shipment, new ReportFulfillmentAgain(m.Version, Delivered(m)), now, ct);
                return;
            }

            if (Void.Contains(m.Status) || m.Lines.Count == 0)
            {
                logger.LogInformation("Fulfilment {Fulfillment} of {Order} ({Status}, {Lines} lines) is not a shipment", m.FulfillmentId, order.ChannelOrderId, m.Status, m.Lines.Count);
                return;
            }

            await FulfillmentReports.KeepAsync(db, order, m, now, ct);
            var shipmentId = Guid.CreateVersion7();
            var planned = await ShipmentPlanning.PlanAsync(db, order, m, shipmentId, ct);
            await ShipmentLedger.DecideAsync(db, store, order, null, new PlanShipment(planned, Delivered(m)), now, ct, shipmentId);
            if (planned is ShipmentWasRefused refused)
            {
                logger.LogWarning("Fulfilment {Fulfillment} of {Channel} order {Order} refused: {Refusal}", m.FulfillmentId, order.Channel, order.ChannelOrderId, refused.Message);
                return;
            }

            var dispatched = (ShipmentWasDispatched)planned;
            logger.LogInformation("{Channel} order {Order}: shipment {Shipment} with {Packages} package(s) by {Carrier}", order.Channel, order.ChannelOrderId, shipmentId,
                dispatched.Packages.Count, dispatched.Carrier);
        }, logger);

    private static DateTimeOffset? Delivered(FulfillmentReported m) => m.Status == "delivered" ? m.OccurredAt : null;
}

/// <summary>What the marketplace answered, on the shipment.</summary>
public sealed class ChannelAnswerConsumer(ShippingDbContext db, EventStore<ShippingDbContext> store, TimeProvider clock, ILogger<ChannelAnswerConsumer> logger)
    : IConsumer<ShipmentConfirmedByChannel>, IConsumer<ShipmentRejectedByChannel>
{
    public Task Consume(ConsumeContext<ShipmentConfirmedByChannel> context) =>
        db.ExecuteOnceAsync(context, nameof(ChannelAnswerConsumer), ct => AnswerAsync(context.Message.ShipmentId, new ConfirmShipment(), ct), logger);

    public Task Consume(ConsumeContext<ShipmentRejectedByChannel> context) =>
        db.ExecuteOnceAsync(context, $"{nameof(ChannelAnswerConsumer)}.rejected",
            ct => AnswerAsync(context.Message.ShipmentId, new RejectShipment(context.Message.Error.Code, context.Message.Error.Message), ct), logger);

    private async Task AnswerAsync(Guid shipmentId, ShipmentCommand answer, CancellationToken ct)
    {
        if (await db.Shipments.FirstOrDefaultAsync(s => s.ShipmentId == shipmentId, ct) is { } shipment
            && await db.Orders.FirstOrDefaultAsync(o => o.OrderId == shipment.OrderId, ct) is { } order)
        {
            await ShipmentLedger.DecideAsync(db, store, order, shipment, answer, clock.GetUtcNow(), ct);
        }
    }
}

/// <summary>Runs a shipment's decision and records it: the events on the shipment's stream, the <c>shipments</c> row moved
/// by them (<see cref="ShipmentProjection"/>), and what they mean for the other services in the outbox.</summary>
public static class ShipmentLedger
{
    /// <param name="row">The shipment's row; null for a shipment planned now (<paramref name="newId"/>).</param>
    public static async Task DecideAsync(ShippingDbContext db, EventStore<ShippingDbContext> store, ShippingOrder order, Shipment? row, ShipmentCommand command,
        DateTimeOffset now, CancellationToken ct, Guid? newId = null)
    {
        var stream = ShipmentStream.Id(row?.ShipmentId ?? newId!.Value);
        var (state, version) = row is null ? (ShipmentStream.Start(stream), 0L) : await store.StateAsync<ShipmentState>(stream, ct);
        if (row is not null && version == 0)
        {
            // A shipment row without its stream (written by the previous version after this one's start-up upgrade):
            // its stream opens with the row as it stands, and the decision follows from there.
            var recorded = ShipmentStreamsUpgrade.Recorded(row);
            store.StartStream(stream, [recorded], new EventMetadata(TenantId: order.TenantId, Actor: "system:upgrade"), row.UpdatedAt);
            (state, version) = (ShipmentStream.Apply(ShipmentStream.Start(stream), recorded), 1);
        }

        var events = ShipmentStream.Decide(command, state ?? ShipmentStream.Start(stream));
        if (events.Count == 0)
        {
            return;
        }

        store.AppendAfter(stream, version, events, new EventMetadata(TenantId: order.TenantId), now);
        foreach (var e in events)
        {
            if (ShipmentProjection.Create(e, now) is { } created)
            {
                db.Shipments.Add(row = created);
            }
            else
            {
                ShipmentProjection.Apply(row!, e, now);
            }

            foreach (var message in ShipmentProjection.Messages(order, row!, e, now))
            {
                db.AddToOutbox(message);
            }
        }
    }
}
