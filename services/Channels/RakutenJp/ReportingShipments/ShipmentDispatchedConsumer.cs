using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Channels.RakutenJp.ReportingShipments;

/// <summary>A shipment of an RMS order → updateOrderShipping, one record per package in its basket: the carrier's
/// deliveryCompany code, the tracking number and the ship date (JST). With a ship date on every basket RMS moves the
/// order to 500 (発送済); the platform's copy says so at once (the sweep would see it minutes later). The order is read first: a record RMS already has with the
/// same number is updated rather than added again, so a redelivery after a crash adds nothing. RMS's per-record
/// errors go back on the shipment with their message codes.</summary>
public sealed class ShipmentDispatchedConsumer(
    RakutenJpDbContext db, ConnectionSecrets secrets, RmsOrderClient rms, TimeProvider clock, ILogger<ShipmentDispatchedConsumer> logger) : IConsumer<ShipmentDispatched>
{
    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    public async Task Consume(ConsumeContext<ShipmentDispatched> context)
    {
        var m = context.Message;
        if (m.Channel != Channel.RakutenJp)
        {
            return;
        }

        await db.ExecuteOnceAsync(context, nameof(ShipmentDispatchedConsumer), async ct =>
        {
            var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == m.ConnectionId, ct);
            if (connection is null)
            {
                return;
            }

            var credentials = secrets.Unprotect<RmsCredentials>(connection.ProtectedCredentials);
            var read = await rms.GetOrderAsync(connection.Id, connection.BaseUrl, credentials, [m.ChannelOrderId], ct);
            if (!await RmsOrderPoller.AcceptAsync(db, connection, read, "getOrder", "shipment reporting", clock, logger, ct))
            {
                throw new InvalidOperationException($"RMS did not answer getOrder for {m.ChannelOrderId} ({read.Messages}); the shipment is retried");
            }

            var known = ((read.Body!["OrderModelList"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault()?["PackageModelList"] as JsonArray ?? []).OfType<JsonObject>()
                .SelectMany(p => (p["ShippingModelList"] as JsonArray ?? []).OfType<JsonObject>().Select(s => (Basket: p["basketId"]?.ToString(), Record: s)))
                .Where(x => x.Record["shippingNumber"] is not null)
                .ToDictionary(x => (x.Basket, x.Record["shippingNumber"]!.ToString()), x => x.Record["shippingDetailId"]?.GetValue<long>());
            var date = m.ShippedAt.ToOffset(Jst).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            // A corrected tracking number takes the place of the record RMS holds for the number it replaces (same
            // shippingDetailId); a replaced record no new number takes is deleted.
            var replaced = known.Where(k => m.ReplacedTrackingNumbers?.Contains(k.Key.Item2) == true && k.Value is not null)
                .GroupBy(k => k.Key.Basket).ToDictionary(g => g.Key ?? "", g => new Queue<long>(g.Select(k => k.Value!.Value)));
            var baskets = new JsonArray(m.Packages.GroupBy(p => p.PackageId).Select(g => (JsonNode)new JsonObject
            {
                ["basketId"] = long.Parse(g.Key, CultureInfo.InvariantCulture),
                ["ShippingModelList"] = new JsonArray(Records(g.Key, g.ToList())),
            }).ToArray());

            // One record per package; then, once the new numbers took the records they replace, the replaced ones left over are deleted.
            JsonNode[] Records(string basket, IReadOnlyList<ShipmentPackage> packages)
            {
                var records = new List<JsonNode>();
                foreach (var p in packages)
                {
                    var record = new JsonObject { ["deliveryCompany"] = p.Carrier.RakutenJpCode ?? "1000", ["shippingDate"] = date };
                    if (p.TrackingNumber is { } number)
                    {
                        record["shippingNumber"] = number;
                        if (known.GetValueOrDefault((basket, number)) is { } detail) record["shippingDetailId"] = detail;
                        else if (replaced.GetValueOrDefault(basket) is { Count: > 0 } old) record["shippingDetailId"] = old.Dequeue();
                    }

                    records.Add(record);
                }

                records.AddRange((replaced.GetValueOrDefault(basket) ?? new Queue<long>())
                    .Select(id => (JsonNode)new JsonObject { ["shippingDetailId"] = id, ["shippingDeleteFlag"] = 1 }));
                return [.. records];
            }

            var answer = await rms.UpdateOrderShippingAsync(connection.Id, connection.BaseUrl, credentials, m.ChannelOrderId, baskets, ct);
            var now = clock.GetUtcNow();
            if (answer.Ok)
            {
                db.AddToOutbox(new ShipmentConfirmedByChannel(m.TenantId, m.ConnectionId, m.ShipmentId, m.OrderId, m.ChannelOrderId, now));
                await ShippedWhenEveryBasketIsAsync(connection.TenantId, connection.Id, m, read.Body!, now, ct);
            db.AfterCommit(() => PlatformDiagnostics.RecordSyncLag(m.Channel.ToString(), "shipment", m.ConnectionId, m.OccurredAt, now));
                logger.LogInformation("RMS order {Order}: shipment {Shipment} reported ({Packages} record(s))", m.ChannelOrderId, m.ShipmentId, m.Packages.Count);
                return;
            }

            if (answer.Status is HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized || (int)answer.Status >= 500 || answer.Body is null)
            {
                throw new InvalidOperationException($"RMS updateOrderShipping for {m.ChannelOrderId} answered {answer.Messages}; the shipment is retried");
            }

            var errors = (answer.Body["MessageModelList"] as JsonArray ?? []).OfType<JsonObject>().Where(x => x["messageType"]?.ToString() == "ERROR").ToList();
            var error = new ChannelError(
                errors.FirstOrDefault()?["messageCode"]?.ToString() ?? $"HTTP {(int)answer.Status}",
                errors.Count == 0 ? answer.Messages : string.Join("; ", errors.Select(x => $"{x["messageCode"]}: {x["message"]}")));
            db.AddToOutbox(new ShipmentRejectedByChannel(m.TenantId, m.ConnectionId, m.ShipmentId, m.OrderId, m.ChannelOrderId, error, now));
            logger.LogWarning("RMS refused shipment {Shipment} of order {Order}: {Error}", m.ShipmentId, m.ChannelOrderId, error.Message);
        }, logger);
    }

    /// <summary>RMS moves an order to 500 (発送済) once every basket has a ship date: when this report gave the last ones,
    /// the platform's copy of the status says so now (ChannelOrderStatusChanged), not at the next sweep (issue 22).</summary>
    private async Task ShippedWhenEveryBasketIsAsync(Guid tenantId, Guid connectionId, ShipmentDispatched m, JsonObject read, DateTimeOffset now, CancellationToken ct)
    {
        var model = (read["OrderModelList"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
        var packages = (model?["PackageModelList"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var reported = m.Packages.Select(p => p.PackageId).ToHashSet();
        var everyBasket = packages.Count > 0 && packages.All(p => reported.Contains(p["basketId"]?.ToString() ?? "")
                                                                  || (p["ShippingModelList"] as JsonArray ?? []).OfType<JsonObject>().Any(x => x["shippingDate"] is JsonValue));
        var row = await db.ImportedOrders.FirstOrDefaultAsync(o => o.ConnectionId == connectionId && o.OrderNumber == m.ChannelOrderId, ct);
        if (!everyBasket || row is null || row.OrderProgress is not (200 or 300 or 400))
        {
            return;
        }

        row.OrderProgress = 500;
        db.AddToOutbox(new Contracts.Orders.ChannelOrderStatusChanged(tenantId, connectionId, Channel.RakutenJp, m.ChannelOrderId, "500", [], now));
        logger.LogInformation("RMS order {Order}: every basket reported shipped, so RMS has it at 500", m.ChannelOrderId);
    }
}
