using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
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
        await AppendAtCurrentAsync(store, orderId, e, ct);
    }

    /// <summary>One read of the stream's version (<c>AppendAsync</c> with that version would read it a second time);
    /// a writer committing meanwhile is refused by the stream's (id, version) key at the save.</summary>
    private static async Task AppendAtCurrentAsync(EventStore<OrdersDbContext> store, Guid orderId, object e, CancellationToken ct) =>
        store.AppendAfter(Stream(orderId), await store.CurrentVersionAsync(Stream(orderId), ct), [e]);

    public static async Task EvaluateAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, OrderRecord record, DateTimeOffset now, CancellationToken ct)
    {
        using var span = Traces.Continue(record.TraceParent, "order decision");
        var order = Read(record);
        var claims = await ClaimsAsync(db, [record.TenantId], Skus(order), ct);
        var decision = Decide(db, record, order, claims, now);
        if (decision is not null)
        {
            await AppendAtCurrentAsync(store, record.OrderId, decision, ct);
        }
    }

    /// <summary>New orders, a batch at a time: the orders already imported are found in one query and the catalog's
    /// SKUs in another; each new order's stream starts with its receipt and its decision (a new id has no events to
    /// read a version from). An order already imported goes the one-order way (<paramref name="again"/>).</summary>
    public static async Task ReceiveAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, IReadOnlyList<ChannelOrderReceived> messages, DateTimeOffset now,
        Func<ChannelOrderReceived, OrderRecord, Task> again, ILogger logger, CancellationToken ct)
    {
        var connections = messages.Select(m => m.ConnectionId).Distinct().ToList();
        var ids = messages.Select(m => m.ChannelOrderId).Distinct().ToList();
        // Both columns of the (connection, channel order id) key: the look-up stays on its index however many orders there are.
        var known = (await db.Orders.Where(o => connections.Contains(o.ConnectionId) && ids.Contains(o.ChannelOrderId)).ToListAsync(ct))
            .ToDictionary(o => (o.ConnectionId, o.ChannelOrderId));
        var claims = await ClaimsAsync(db, messages.Select(m => m.TenantId).Distinct().ToList(), messages.SelectMany(m => Skus(m.Order)).Distinct().ToList(), ct);
        foreach (var m in messages)
        {
            using var span = Traces.ContinueMessage(m, "order import");
            span?.SetTag("platform.channel_order_id", m.ChannelOrderId);
            if (known.TryGetValue((m.ConnectionId, m.ChannelOrderId), out var existing))
            {
                await again(m, existing);
                continue;
            }

            var record = new OrderRecord
            {
                OrderId = Guid.CreateVersion7(), TenantId = m.TenantId, ConnectionId = m.ConnectionId, Channel = m.Channel.ToString(),
                ChannelOrderId = m.ChannelOrderId, ChannelStatus = m.ChannelStatus, Status = UnifiedOrderStatus.Received,
                Order = m.Order is null ? null : JsonSerializer.Serialize(m.Order, PlatformJson.Options), ParseError = m.ParseError, ReceivedAt = now, UpdatedAt = now,
                TraceParent = Traces.Current,
            };
            span?.SetTag("platform.order_id", record.OrderId);
            db.Orders.Add(record);
            known[(m.ConnectionId, m.ChannelOrderId)] = record; // the same order twice in one batch (two pollers) is imported once
            var decision = Decide(db, record, LegacyChannelOrders.Upgrade(m.Channel, m.Order), claims, now)!;
            store.StartStream(Stream(record.OrderId), [new OrderReceived(record.OrderId, m.ConnectionId, m.Channel, m.ChannelOrderId, m.ChannelStatus, m.Order, m.ParseError), decision]);
            logger.LogInformation("{Channel} order {Order} imported as {OrderId}: {Status} {Reason}", m.Channel, m.ChannelOrderId, record.OrderId, record.Status, record.HoldReason);
        }
    }

    private static ChannelOrder? Read(OrderRecord record) =>
        record.Order is null ? null : LegacyChannelOrders.Upgrade(Enum.Parse<Channel>(record.Channel), JsonSerializer.Deserialize<ChannelOrder>(record.Order, PlatformJson.Options));

    private static IEnumerable<string> Skus(ChannelOrder? order) => order?.Lines.Select(l => l.Sku ?? l.MerchantSku).OfType<string>() ?? [];

    /// <summary>How many catalog products claim each SKU, per (tenant, SKU).</summary>
    private static async Task<Dictionary<(Guid TenantId, string Sku), int>> ClaimsAsync(OrdersDbContext db, IReadOnlyList<Guid> tenants, IEnumerable<string> skus, CancellationToken ct)
    {
        var wanted = skus.Distinct().ToList();
        return (await db.CatalogSkus.AsNoTracking().Where(s => tenants.Contains(s.TenantId) && wanted.Contains(s.Sku)).ToListAsync(ct))
            .GroupBy(s => (s.TenantId, s.Sku)).ToDictionary(g => g.Key, g => g.Select(s => s.ProductId).Distinct().Count());
    }

    /// <summary>Accepts or holds the order: the read model and the outbox changed here, and the event to append
    /// returned — or null when it is still held for the same reason (nothing new to say).</summary>
    private static object? Decide(OrdersDbContext db, OrderRecord record, ChannelOrder? order, Dictionary<(Guid TenantId, string Sku), int> claims, DateTimeOffset now)
    {
        var channel = Enum.Parse<Channel>(record.Channel);
        var hold = OrderRules.Decide(channel, order, record.ParseError, sku => claims.GetValueOrDefault((record.TenantId, sku)), record.ReleasedHold);
        if (hold is not null)
        {
            if (record.Status == UnifiedOrderStatus.Held && record.HoldReason == hold.Reason && record.HoldDetail == hold.Detail)
            {
                return null;
            }

            if (record.HoldReason != hold.Reason) record.HoldDismissedAt = null; // a new reason is a new hold, for the merchant to see

            record.Status = UnifiedOrderStatus.Held;
            record.HoldReason = hold.Reason;
            record.HoldDetail = hold.Detail;
            record.HoldAction = hold.Action;
            record.UpdatedAt = now;
            db.AddToOutbox(new OrderHeld(record.TenantId, record.ConnectionId, record.OrderId, channel, record.ChannelOrderId, hold.Reason, hold.Detail, hold.Action, now));
            db.AfterCommit(() => PlatformDiagnostics.OrdersImported.Add(1, new KeyValuePair<string, object?>("channel", channel.ToString()), new("decision", "held")));
            return new OrderWasHeld(hold.Reason, hold.Detail, hold.Action);
        }

        var from = record.Status;
        record.Status = UnifiedOrderStatus.Accepted;
        record.HoldDismissedAt = null;
        record.HoldReason = null;
        record.HoldDetail = null;
        record.HoldAction = null;
        record.UpdatedAt = now;
        db.AddToOutbox(new OrderAccepted(record.TenantId, record.ConnectionId, record.OrderId, channel, record.ChannelOrderId, order!, now));
        db.AfterCommit(() => PlatformDiagnostics.OrdersImported.Add(1, new KeyValuePair<string, object?>("channel", channel.ToString()), new("decision", "accepted")));
        db.AddToOutbox(new OrderStatusChanged(record.TenantId, record.ConnectionId, record.OrderId, from, UnifiedOrderStatus.Accepted, now));
        return new OrderWasAccepted();
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
