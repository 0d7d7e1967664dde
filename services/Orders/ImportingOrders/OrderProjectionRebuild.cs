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

    // Orders received before their receipt stated the tenant: streams written by the previous version.
    private readonly HashSet<Guid> _older = [];

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
            if (received.TenantId == Guid.Empty)
            {
                _older.Add(orderId);
            }

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
        // Orders received by the previous version keep from their row what its events never said: the tenant, the
        // marketplace statuses it reported without an event, and the times it took from its own clock — unless an event
        // since the upgrade moved the order on.
        var existing = await db.Orders.AsNoTracking().Where(o => _older.Contains(o.OrderId)).ToDictionaryAsync(o => o.OrderId, ct);
        var rows = _orders.Values.Select(r => existing.TryGetValue(r.OrderId, out var old) ? Older(r, old) : r).Where(r => r.TenantId != Guid.Empty).ToList();
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

    private static OrderRecord Older(OrderRecord r, OrderRecord old)
    {
        var unmoved = old.UpdatedAt >= r.UpdatedAt;
        return new OrderRecord
        {
            OrderId = r.OrderId, TenantId = r.TenantId == Guid.Empty ? old.TenantId : r.TenantId, ConnectionId = r.ConnectionId, Channel = r.Channel,
            ChannelOrderId = r.ChannelOrderId, ChannelStatus = unmoved ? old.ChannelStatus : r.ChannelStatus, Status = r.Status, HoldReason = r.HoldReason,
            HoldDetail = r.HoldDetail, HoldAction = r.HoldAction, ReleasedHold = r.ReleasedHold, TraceParent = old.TraceParent ?? r.TraceParent,
            HoldDismissedAt = r.HoldDismissedAt, Order = r.Order, ParseError = r.ParseError, ShopifyOrderId = r.ShopifyOrderId, ShopifyOrderName = r.ShopifyOrderName,
            ReceivedAt = old.ReceivedAt, UpdatedAt = unmoved ? old.UpdatedAt : r.UpdatedAt,
        };
    }
}
