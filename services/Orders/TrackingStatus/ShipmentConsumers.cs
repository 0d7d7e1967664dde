using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Orders.TrackingStatus;

/// <summary>One shipment of an order, as it stands.</summary>
public sealed class OrderShipment
{
    public required Guid ShipmentId { get; init; }

    public required Guid OrderId { get; init; }

    /// <summary>Dispatched, Confirmed (by the marketplace), Rejected (with its error), Delivered.</summary>
    public required string Status { get; set; }

    public required int Units { get; set; }

    public string? Error { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

[StoredEvent("order-shipment-changed.v1")]
public sealed record OrderShipmentChanged(Guid ShipmentId, string Status, int Units, string? Error);

/// <summary>The order follows its shipments: shipped in part or whole once dispatched, Delivered once every shipment is;
/// a marketplace's refusal (an unsupported carrier, RMS's error code) is kept on the order's shipment, for the merchant.</summary>
public sealed class ShipmentConsumers(OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<ShipmentConsumers> logger)
    : IConsumer<ShipmentDispatched>, IConsumer<ShipmentConfirmedByChannel>, IConsumer<ShipmentRejectedByChannel>, IConsumer<ShipmentDelivered>
{
    public Task Consume(ConsumeContext<ShipmentDispatched> context) =>
        ApplyAsync(context, context.Message.OrderId, context.Message.ShipmentId, "Dispatched", ShipmentUnits.Of(context.Message.Packages), null,
            resent: context.Message.Attempt > 1);

    public Task Consume(ConsumeContext<ShipmentConfirmedByChannel> context) =>
        ApplyAsync(context, context.Message.OrderId, context.Message.ShipmentId, "Confirmed", null, null);

    public Task Consume(ConsumeContext<ShipmentRejectedByChannel> context) =>
        ApplyAsync(context, context.Message.OrderId, context.Message.ShipmentId, "Rejected", null, $"{context.Message.Error.Code}: {context.Message.Error.Message}");

    public Task Consume(ConsumeContext<ShipmentDelivered> context) =>
        ApplyAsync(context, context.Message.OrderId, context.Message.ShipmentId, "Delivered", null, null);

    /// <param name="resent">A refused shipment sent again once its cause was fixed: it is Dispatched again, whatever it was.</param>
    private Task ApplyAsync(ConsumeContext context, Guid orderId, Guid shipmentId, string status, int? units, string? error, bool resent = false) =>
        db.ExecuteOnceAsync(context, nameof(ShipmentConsumers), async ct =>
        {
            var record = await db.Orders.FirstOrDefaultAsync(o => o.OrderId == orderId, ct);
            if (record is null)
            {
                return;
            }

            var now = clock.GetUtcNow();
            var shipment = await db.Shipments.FirstOrDefaultAsync(s => s.ShipmentId == shipmentId, ct);
            // The messages of one shipment can arrive in any order (the delivery before the dispatch that says how many
            // units it carries): the units are always taken, the status only moves forward.
            var changed = new OrderShipmentChanged(shipmentId,
                shipment is null || Rank(status) >= Rank(shipment.Status) || (resent && shipment.Status == "Rejected") ? status : shipment.Status,
                units ?? shipment?.Units ?? 0, error);
            await OrderImport.RecordAsync(db, store, record, [changed], now, ct);
            var row = OrderProjection.Shipment(shipment, orderId, changed, now);
            if (shipment is null)
            {
                db.Shipments.Add(row);
            }

            await db.SaveChangesAsync(ct); // the order's other shipments are read next, this one among them
            var all = await db.Shipments.Where(s => s.OrderId == orderId && s.Status != "Rejected").ToListAsync(ct);
            var ordered = OrderStatus.Order(record)?.Lines.Sum(l => l.Quantity) ?? 0;
            var shipped = all.Sum(s => s.Units);
            var reported = all.Count > 0 && shipped >= ordered && all.All(s => s.Status == "Delivered") ? UnifiedOrderStatus.Delivered
                : shipped >= ordered && shipped > 0 ? UnifiedOrderStatus.Shipped
                : shipped > 0 ? UnifiedOrderStatus.PartiallyShipped
                : (UnifiedOrderStatus?)null;
            if (reported is { } r && OrderStatusMap.Next(record.Status, r) is { } next)
            {
                await OrderStatus.MoveAsync(db, store, record, next, null, now, ct);
            }

            logger.LogInformation("{Channel} order {Order}: shipment {Shipment} {Status}{Error}", record.Channel, record.ChannelOrderId, shipmentId, status, error is null ? "" : $" — {error}");
        }, logger);

    private static int Rank(string status) => status switch
    {
        "Dispatched" => 0,
        "Confirmed" or "Rejected" => 1,
        _ => 2,
    };
}
