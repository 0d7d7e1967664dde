using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>The order list and holds (<c>orders</c>) and the shipments per order (<c>order_shipments</c>) rebuilt from
/// the order streams by <see cref="OrderProjection"/> — the same functions that keep them inline.</summary>
public sealed class OrderProjectionRebuild(IServiceScopeFactory scopes) : ProjectionRebuild<OrdersDbContext>(scopes)
{
    private readonly Dictionary<Guid, OrderRecord> _orders = [];
    private readonly Dictionary<Guid, OrderShipment> _shipments = [];

    public override string Name => "orders: order list, holds, shipments per order";

    protected override IReadOnlyList<string> Tables => ["orders", "order_shipments"];

    protected override void Apply(StoredEvent e)
    {
        if (!e.StreamId.StartsWith("order-", StringComparison.Ordinal) || !Guid.TryParse(e.StreamId["order-".Length..], out var orderId))
        {
            return;
        }

        if (e.Data is OrderReceived received)
        {
            _orders[orderId] = OrderProjection.Create(received with { TenantId = received.TenantId == Guid.Empty ? e.Metadata.TenantId ?? Guid.Empty : received.TenantId },
                e.RecordedAt, e.Metadata.TraceParent);
            return;
        }

        if (_orders.TryGetValue(orderId, out var row))
        {
            OrderProjection.Apply(row, e.Data, e.RecordedAt);
            if (e.Data is OrderShipmentChanged shipment)
            {
                _shipments[shipment.ShipmentId] = OrderProjection.Shipment(_shipments.GetValueOrDefault(shipment.ShipmentId), orderId, shipment, e.RecordedAt);
            }
        }
    }

    protected override async Task<int> ReplaceAsync(OrdersDbContext db, CancellationToken ct)
    {
        // Orders received before their event stated the tenant (streams written before this version) keep the tenant of their row.
        var tenants = await db.Orders.AsNoTracking().Select(o => new { o.OrderId, o.TenantId }).ToDictionaryAsync(o => o.OrderId, o => o.TenantId, ct);
        var rows = _orders.Values.Select(r => r.TenantId != Guid.Empty ? r : Copy(r, tenants.GetValueOrDefault(r.OrderId))).Where(r => r.TenantId != Guid.Empty).ToList();
        await db.Shipments.ExecuteDeleteAsync(ct);
        await db.Orders.ExecuteDeleteAsync(ct);
        db.Orders.AddRange(rows);
        var kept = rows.Select(r => r.OrderId).ToHashSet();
        db.Shipments.AddRange(_shipments.Values.Where(s => kept.Contains(s.OrderId)));
        db.QuietSave = true; // the rows are what they were: the gRPC watchers are not told every order changed
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.QuietSave = false;
        }

        return rows.Count;
    }

    private static OrderRecord Copy(OrderRecord r, Guid tenant) => new()
    {
        OrderId = r.OrderId, TenantId = tenant, ConnectionId = r.ConnectionId, Channel = r.Channel, ChannelOrderId = r.ChannelOrderId, ChannelStatus = r.ChannelStatus,
        Status = r.Status, HoldReason = r.HoldReason, HoldDetail = r.HoldDetail, HoldAction = r.HoldAction, ReleasedHold = r.ReleasedHold, TraceParent = r.TraceParent,
        HoldDismissedAt = r.HoldDismissedAt, Order = r.Order, ParseError = r.ParseError, ShopifyOrderId = r.ShopifyOrderId, ShopifyOrderName = r.ShopifyOrderName,
        ReceivedAt = r.ReceivedAt, UpdatedAt = r.UpdatedAt,
    };
}
