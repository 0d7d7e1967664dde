using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;

namespace Rakuten.Platform.Orders.TrackingStatus;

/// <summary>The marketplace moved an order: the order follows by the connection's status mapping (forward only, Cancelled
/// final), and the Shopify order is asked for what the new status does there (tags, a held fulfilment). A
/// cancellation on the channel — whole or of some units — is announced once as OrderCancelled, which releases the
/// stock and cancels the Shopify order.</summary>
public sealed class ChannelOrderStatusChangedConsumer(
    OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<ChannelOrderStatusChangedConsumer> logger) : IConsumer<ChannelOrderStatusChanged>
{
    public Task Consume(ConsumeContext<ChannelOrderStatusChanged> context) =>
        db.ExecuteOnceAsync(context, nameof(ChannelOrderStatusChangedConsumer), async ct =>
        {
            var m = context.Message;
            // ChannelOrderReceived travels on another queue: a status change may overtake it. Redelivery waits for it.
            var record = await db.Orders.FirstOrDefaultAsync(o => o.ConnectionId == m.ConnectionId && o.ChannelOrderId == m.ChannelOrderId, ct)
                         ?? throw new InvalidOperationException($"{m.Channel} order {m.ChannelOrderId} is not imported yet; its status {m.ChannelStatus} is retried");
            var now = clock.GetUtcNow();
            // The connection's status mapping says what the channel status means (the documented defaults unless it says otherwise).
            var mapping = await MappingStatuses.StatusMappingEndpoints.OverridesAsync(db, m.ConnectionId, ct);
            var rule = MappingStatuses.StatusMapping.Resolve(m.Channel, m.ChannelStatus, mapping);
            var previous = MappingStatuses.StatusMapping.Resolve(m.Channel, record.ChannelStatus, mapping);
            var reported = rule?.Status;
            if (rule is not null && m.ChannelStatus != record.ChannelStatus && (rule.ActsOnShopify || previous?.HoldFulfillment == true))
            {
                // Tags to add and the fulfilment held or released, for the Shopify order (applied once it exists).
                db.AddToOutbox(new OrderShopifyActionsRequested(record.TenantId, record.ConnectionId, record.OrderId, m.Channel, m.ChannelOrderId, m.ChannelStatus,
                    rule.Tags, rule.HoldFulfillment, now));
            }

            // Where the order goes (a partial cancellation announced below does not move it).
            var next = reported is null ? null : OrderStatusMap.Next(record.Status, reported.Value);
            if (next is null && m.ChannelStatus != record.ChannelStatus)
            {
                // Kept on the order (its stream, then its row) even when the unified status stays.
                await OrderImport.RecordAsync(db, store, record, [new OrderChannelStatusWasReported(m.ChannelStatus)], now, ct);
            }

            if (reported is null)
            {
                logger.LogWarning("{Channel} order {Order} has status {Status}, which the status map does not know; the order stays {Current}",
                    m.Channel, m.ChannelOrderId, m.ChannelStatus, record.Status);
                return;
            }

            var cancellation = await db.Cancellations.FirstOrDefaultAsync(c => c.OrderId == record.OrderId, ct);
            if (m.ChannelStatus == "PARTIALLY_CANCELLED" && record.Status != UnifiedOrderStatus.Cancelled && m.ChannelItemIds.Count > 0)
            {
                // Some units cancelled on the channel: their stock is released; the rest of the order goes on.
                await OrderStatus.AnnounceCancellationAsync(db, store, record, null, m.ChannelItemIds, now, ct);
            }

            if (next is null)
            {
                return;
            }

            var before = record.Status;
            await OrderStatus.MoveAsync(db, store, record, next.Value, m.ChannelStatus, now, ct);
            if (next == UnifiedOrderStatus.Cancelled && cancellation?.AnnouncedAt is null)
            {
                if (cancellation is null)
                {
                    cancellation = new OrderCancellation
                    {
                        OrderId = record.OrderId, Initiator = CancellationInitiator.Channel, Reason = $"cancelled on {m.Channel} ({m.ChannelStatus})",
                        PreviousStatus = before, RequestedAt = now,
                    };
                    db.Cancellations.Add(cancellation);
                }

                cancellation.AnnouncedAt = now;
                await OrderStatus.AnnounceCancellationAsync(db, store, record, cancellation, null, now, ct, rule?.CancelInShopify ?? true);
            }

            logger.LogInformation("{Channel} order {Order} is now {Status} (channel status {ChannelStatus})", m.Channel, m.ChannelOrderId, next, m.ChannelStatus);
        }, logger);
}
