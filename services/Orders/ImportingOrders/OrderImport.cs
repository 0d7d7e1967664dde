using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>Decides an order (accept or hold) and records the decision: its event in the order's stream, the read
/// model, and OrderAccepted or OrderHeld in the outbox, all in the caller's transaction.</summary>
public static class OrderImport
{
    public static string Stream(Guid orderId) => $"order-{orderId}";

    /// <summary>Appends one event to the order's stream at its current version. The version is read from the database,
    /// so this transaction's earlier changes (an event appended a moment ago) are saved first.</summary>
    public static async Task AppendAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, Guid orderId, object e, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await store.AppendAsync(Stream(orderId), await store.CurrentVersionAsync(Stream(orderId), ct), [e], ct: ct);
    }

    public static async Task EvaluateAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, OrderRecord record, DateTimeOffset now, CancellationToken ct)
    {
        var order = record.Order is null ? null : JsonSerializer.Deserialize<ChannelOrder>(record.Order, PlatformJson.Options);
        var skus = order?.Lines.Select(l => l.Sku ?? l.MerchantSku).OfType<string>().Distinct().ToList() ?? [];
        var claims = (await db.CatalogSkus.AsNoTracking().Where(s => s.TenantId == record.TenantId && skus.Contains(s.Sku)).ToListAsync(ct))
            .GroupBy(s => s.Sku).ToDictionary(g => g.Key, g => g.Select(s => s.ProductId).Distinct().Count());
        var channel = Enum.Parse<Channel>(record.Channel);
        var hold = OrderRules.Decide(channel, order, record.ParseError, sku => claims.GetValueOrDefault(sku));
        var version = await store.CurrentVersionAsync(Stream(record.OrderId), ct);
        if (hold is not null)
        {
            if (record.Status == UnifiedOrderStatus.Held && record.HoldReason == hold.Reason && record.HoldDetail == hold.Detail)
            {
                return; // still held for the same reason: nothing new to say
            }

            await store.AppendAsync(Stream(record.OrderId), version, [new OrderWasHeld(hold.Reason, hold.Detail, hold.Action)], ct: ct);
            record.Status = UnifiedOrderStatus.Held;
            record.HoldReason = hold.Reason;
            record.HoldDetail = hold.Detail;
            record.HoldAction = hold.Action;
            record.UpdatedAt = now;
            db.AddToOutbox(new OrderHeld(record.TenantId, record.ConnectionId, record.OrderId, channel, record.ChannelOrderId, hold.Reason, hold.Detail, hold.Action, now));
            return;
        }

        await store.AppendAsync(Stream(record.OrderId), version, [new OrderWasAccepted()], ct: ct);
        var from = record.Status;
        record.Status = UnifiedOrderStatus.Accepted;
        record.HoldReason = null;
        record.HoldDetail = null;
        record.HoldAction = null;
        record.UpdatedAt = now;
        db.AddToOutbox(new OrderAccepted(record.TenantId, record.ConnectionId, record.OrderId, channel, record.ChannelOrderId, order!, now));
        db.AddToOutbox(new OrderStatusChanged(record.TenantId, record.ConnectionId, record.OrderId, from, UnifiedOrderStatus.Accepted, now));
    }

    /// <summary>Held orders of a tenant whose cause may have gone away (a SKU appeared, became unique): decided again.</summary>
    public static async Task RetryHeldAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, Guid tenantId, IReadOnlyCollection<string> skus, DateTimeOffset now, CancellationToken ct)
    {
        var held = await db.Orders.Where(o => o.TenantId == tenantId && o.Status == UnifiedOrderStatus.Held
                                              && (o.HoldReason == HoldReason.UnknownSku || o.HoldReason == HoldReason.DuplicateSku)).ToListAsync(ct);
        foreach (var record in held.Where(o => skus.Any(s => o.HoldDetail?.Contains($"SKU {s} ", StringComparison.Ordinal) == true)))
        {
            await EvaluateAsync(db, store, record, now, ct);
        }
    }
}
