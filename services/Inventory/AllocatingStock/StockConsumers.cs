using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Connections;
using Rakuten.Platform.Contracts.Inventory;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Contracts.Shipping;
using Rakuten.Platform.Inventory.Kits;

namespace Rakuten.Platform.Inventory.AllocatingStock;

/// <summary>One Shopify stock level as Inventory applies it, from either contract version.</summary>
public sealed record ReportedLevel(Guid TenantId, Guid ConnectionId, string Sku, string LocationId, int Available, long Version, DateTimeOffset OccurredAt);

/// <summary>Shopify stock levels, many at a time: each applied unless older than the one kept (versions grow per item
/// and location), then the channel quantities of the SKUs they touch recomputed once. At a steady 100 changes a
/// second a transaction per change, with its lock, reads and recomputation, was the stage that fell behind.
/// v1 messages (one level each) are still taken: an older Shopify adapter may have left some in the queue.</summary>
public sealed class StockLevelReportedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<StockLevelReportedConsumer> logger)
    : IConsumer<Batch<StockLevelReported>>, IConsumer<Batch<Contracts.Inventory.V1.StockLevelReported>>
{
    public Task Consume(ConsumeContext<Batch<StockLevelReported>> context) =>
        db.ExecuteOnceAsync(context.Message, nameof(StockLevelReportedConsumer), (messages, ct) =>
            ApplyAsync(messages.SelectMany(m => m.Levels.Select(l => new ReportedLevel(m.TenantId, m.ConnectionId, l.Sku, l.LocationId, l.Available, l.Version, m.OccurredAt))).ToList(), ct),
            logger, context.CancellationToken);

    public Task Consume(ConsumeContext<Batch<Contracts.Inventory.V1.StockLevelReported>> context) =>
        db.ExecuteOnceAsync(context.Message, nameof(StockLevelReportedConsumer), (messages, ct) =>
            ApplyAsync(messages.Select(m => new ReportedLevel(m.TenantId, m.ConnectionId, m.Sku, m.LocationId, m.Available, m.Version, m.OccurredAt)).ToList(), ct),
            logger, context.CancellationToken);

    private async Task ApplyAsync(IReadOnlyList<ReportedLevel> levels, CancellationToken ct)
    {
        await ChannelStock.LockAllAsync(db, levels.Select(l => (l.TenantId, l.Sku)), ct);
        var tenants = levels.Select(l => l.TenantId).Distinct().ToList();
        var skus = levels.Select(l => l.Sku).Distinct().ToList();
        var rows = (await db.LocationStocks.Where(l => tenants.Contains(l.TenantId) && skus.Contains(l.Sku)).ToListAsync(ct))
            .ToDictionary(l => (l.SourceConnectionId, l.LocationId, l.Sku));
        var changed = new HashSet<(Guid TenantId, string Sku)>();
        foreach (var m in levels.OrderBy(l => l.Version))
        {
            if (rows.TryGetValue((m.ConnectionId, m.LocationId, m.Sku), out var row) && row.Version >= m.Version)
            {
                logger.LogDebug("Stale stock level v{Version} for {Sku} at {Location} ignored", m.Version, m.Sku, m.LocationId);
                continue;
            }

            changed.Add((m.TenantId, m.Sku));

            if (row is null)
            {
                row = new LocationStock { TenantId = m.TenantId, SourceConnectionId = m.ConnectionId, LocationId = m.LocationId, Sku = m.Sku };
                db.LocationStocks.Add(row);
                rows[(m.ConnectionId, m.LocationId, m.Sku)] = row;
            }

            row.Available = m.Available;
            row.Version = m.Version;
            row.UpdatedAt = m.OccurredAt;
        }

        await db.SaveChangesAsync(ct); // the recomputation reads the levels from the database
        // Only the SKUs whose level moved: a stale report changes no quantity, and is no change to watch.
        foreach (var tenant in changed.GroupBy(l => l.TenantId))
        {
            await ChannelStock.RecomputeAsync(db, tenant.Key, tenant.Select(l => l.Sku).ToList(), clock.GetUtcNow(), ct);
        }
    }
}

/// <summary>One step of one order's reservation (its lines: what is accepted or cancelled; none for the end).</summary>
public sealed record ReservationChange(Guid TenantId, Guid OrderId, ReservationStep Step, IReadOnlyList<(string Sku, int Quantity)> Lines);

/// <summary>Reservations: an accepted order holds its units on every channel until Shopify has the order
/// (OrderExported: Shopify's own stock then counts it), it ships, or it is cancelled. A batch of steps is applied in
/// one transaction: each order's ledger updated under the order's lock, the units held rewritten from it, and the
/// channel quantities of the SKUs whose units changed recomputed once.</summary>
public static class Reservations
{
    public static async Task ApplyAsync(InventoryDbContext db, IReadOnlyList<ReservationChange> changes, DateTimeOffset now, CancellationToken ct)
    {
        // Order locks first, then SKU locks ("inventory-order:" sorts before "inventory:"): every transaction takes its
        // keys in one global order, so none waits in a cycle.
        var orderIds = changes.Select(c => c.OrderId).Distinct().ToList();
        await AdvisoryLock.AcquireAllAsync(db, orderIds.Select(id => $"inventory-order:{id}"), ct);
        var ledgers = await db.OrderReservations.Where(o => orderIds.Contains(o.OrderId)).ToDictionaryAsync(o => o.OrderId, ct);
        var rows = (await db.Reservations.Where(r => orderIds.Contains(r.OrderId)).ToListAsync(ct)).ToLookup(r => r.OrderId);

        // A kit sold holds its components (as the kit is defined when the order is accepted): the ledger keeps component units.
        var kits = new Dictionary<Guid, Dictionary<string, IReadOnlyList<KitComponent>>>();
        foreach (var tenant in changes.GroupBy(c => c.TenantId))
        {
            kits[tenant.Key] = await KitBook.AmongAsync(db, tenant.Key, tenant.SelectMany(c => c.Lines.Select(l => l.Sku)).Distinct().ToList(), ct);
        }

        var states = new Dictionary<Guid, (Guid TenantId, ReservationLedger Ledger)>();
        foreach (var change in changes.Select(c => c with { Lines = KitRules.Expand(c.Lines, kits[c.TenantId]) }))
        {
            var ledger = states.TryGetValue(change.OrderId, out var state) ? state.Ledger : Load(ledgers.GetValueOrDefault(change.OrderId), rows[change.OrderId]);
            states[change.OrderId] = (change.TenantId, ledger.Apply(change.Step, change.Lines));
        }

        var touched = new HashSet<(Guid TenantId, string Sku)>();
        foreach (var (orderId, (tenantId, ledger)) in states)
        {
            Save(db, ledgers, orderId, tenantId, ledger, now);
            var held = ledger.Held();
            var current = rows[orderId].ToDictionary(r => r.Sku);
            foreach (var row in current.Values.Where(r => !held.ContainsKey(r.Sku)))
            {
                db.Reservations.Remove(row);
                touched.Add((tenantId, row.Sku));
            }

            foreach (var (sku, quantity) in held)
            {
                if (!current.TryGetValue(sku, out var row))
                {
                    row = new Reservation { TenantId = tenantId, OrderId = orderId, Sku = sku };
                    db.Reservations.Add(row);
                }
                else if (row.Quantity == quantity)
                {
                    continue;
                }

                row.Quantity = quantity;
                touched.Add((tenantId, sku));
            }
        }

        await ChannelStock.LockAllAsync(db, touched, ct);
        await db.SaveChangesAsync(ct); // the recomputation reads the reservations from the database
        foreach (var tenant in touched.GroupBy(t => t.TenantId))
        {
            await ChannelStock.RecomputeAsync(db, tenant.Key, tenant.Select(t => t.Sku).ToList(), now, ct);
        }
    }

    /// <summary>The order's ledger; an order reserved before ledgers were kept has only its rows, which are what it accepted.</summary>
    private static ReservationLedger Load(OrderReservation? row, IEnumerable<Reservation> held) => row is null
        ? held.Any() ? ReservationLedger.Empty.Apply(ReservationStep.Accept, held.Select(r => (r.Sku, r.Quantity))) : ReservationLedger.Empty
        : new ReservationLedger(row.Accepted is null ? null : JsonSerializer.Deserialize<Dictionary<string, int>>(row.Accepted),
            JsonSerializer.Deserialize<Dictionary<string, int>>(row.Cancelled)!, row.Ended);

    private static void Save(InventoryDbContext db, Dictionary<Guid, OrderReservation> rows, Guid orderId, Guid tenantId, ReservationLedger ledger, DateTimeOffset now)
    {
        if (!rows.TryGetValue(orderId, out var row))
        {
            row = new OrderReservation { OrderId = orderId, TenantId = tenantId, Cancelled = "{}" };
            db.OrderReservations.Add(row);
            rows[orderId] = row;
        }

        row.Accepted = ledger.Accepted is null ? null : JsonSerializer.Serialize(ledger.Accepted);
        row.Cancelled = JsonSerializer.Serialize(ledger.Cancelled);
        row.Ended = ledger.Ended;
        row.UpdatedAt = now;
    }

    public static ReservationChange Accepted(OrderAccepted m) =>
        new(m.TenantId, m.OrderId, ReservationStep.Accept, m.Order.Lines.Where(l => l.Sku is not null).Select(l => (l.Sku!, l.Quantity)).ToList());

    public static ReservationChange Cancelled(OrderCancelled m) => new(m.TenantId, m.OrderId, ReservationStep.Cancel, m.Lines.Select(l => (l.Sku, l.Quantity)).ToList());

    public static ReservationChange LinesChanged(OrderLinesChanged m) => new(m.TenantId, m.OrderId, ReservationStep.Change,
        m.Lines.Select(l => l.Sku).Union(m.Before.Select(l => l.Sku))
            .Select(sku => (sku, m.Lines.Where(l => l.Sku == sku).Sum(l => l.Quantity) - m.Before.Where(l => l.Sku == sku).Sum(l => l.Quantity)))
            .Where(c => c.Item2 != 0).ToList());

    public static ReservationChange Ended(Guid tenantId, Guid orderId) => new(tenantId, orderId, ReservationStep.End, []);
}

// The reservation consumers take their messages in batches (up to 100, one transaction): at a hundred orders a second,
// a transaction per message queued them behind one another on the same SKUs' locks. A batch that fails is applied
// message by message, so one that cannot be applied holds up only itself.

public sealed class OrderAcceptedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<OrderAcceptedConsumer> logger) : IConsumer<Batch<OrderAccepted>>
{
    public Task Consume(ConsumeContext<Batch<OrderAccepted>> context) =>
        db.ExecuteOnceEachAsync(context.Message, nameof(OrderAcceptedConsumer),
            (orders, ct) => Reservations.ApplyAsync(db, orders.Select(Reservations.Accepted).ToList(), clock.GetUtcNow(), ct), logger, context.CancellationToken);
}

public sealed class OrderCancelledConsumer(InventoryDbContext db, TimeProvider clock, ILogger<OrderCancelledConsumer> logger) : IConsumer<Batch<OrderCancelled>>
{
    public Task Consume(ConsumeContext<Batch<OrderCancelled>> context) =>
        db.ExecuteOnceEachAsync(context.Message, nameof(OrderCancelledConsumer),
            (orders, ct) => Reservations.ApplyAsync(db, orders.Select(Reservations.Cancelled).ToList(), clock.GetUtcNow(), ct), logger, context.CancellationToken);
}

public sealed class OrderLinesChangedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<OrderLinesChangedConsumer> logger) : IConsumer<OrderLinesChanged>
{
    public Task Consume(ConsumeContext<OrderLinesChanged> context) =>
        db.ExecuteOnceAsync(context, nameof(OrderLinesChangedConsumer),
            ct => Reservations.ApplyAsync(db, [Reservations.LinesChanged(context.Message)], clock.GetUtcNow(), ct), logger);
}

public sealed class OrderExportedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<OrderExportedConsumer> logger) : IConsumer<Batch<OrderExported>>
{
    public Task Consume(ConsumeContext<Batch<OrderExported>> context) =>
        db.ExecuteOnceEachAsync(context.Message, nameof(OrderExportedConsumer),
            (orders, ct) => Reservations.ApplyAsync(db, orders.Select(m => Reservations.Ended(m.TenantId, m.OrderId)).ToList(), clock.GetUtcNow(), ct), logger, context.CancellationToken);
}

public sealed class ShipmentDispatchedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<ShipmentDispatchedConsumer> logger) : IConsumer<Batch<ShipmentDispatched>>
{
    public Task Consume(ConsumeContext<Batch<ShipmentDispatched>> context) =>
        db.ExecuteOnceEachAsync(context.Message, nameof(ShipmentDispatchedConsumer),
            (shipments, ct) => Reservations.ApplyAsync(db, shipments.Select(m => Reservations.Ended(m.TenantId, m.OrderId)).ToList(), clock.GetUtcNow(), ct), logger, context.CancellationToken);
}

/// <summary>Learns the Rakuten connections to allocate to (all locations, no buffer, no cap until the merchant
/// sets a rule) and publishes their initial quantities.</summary>
public sealed class ConnectionHealthChangedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<ConnectionHealthChangedConsumer> logger) : IConsumer<ConnectionHealthChanged>
{
    public Task Consume(ConsumeContext<ConnectionHealthChanged> context)
    {
        var m = context.Message;
        if (m.Channel == Channel.Shopify)
        {
            return Task.CompletedTask;
        }

        return db.ExecuteOnceAsync(context, nameof(ConnectionHealthChangedConsumer), async ct =>
        {
            var rule = await db.ChannelRules.FirstOrDefaultAsync(r => r.ConnectionId == m.ConnectionId, ct);
            if (rule is not null)
            {
                rule.Removed = m.Health == ConnectionHealth.Removed;
                return;
            }

            if (m.Health == ConnectionHealth.Removed)
            {
                return;
            }

            db.ChannelRules.Add(new ChannelRule { ConnectionId = m.ConnectionId, TenantId = m.TenantId, Channel = m.Channel.ToString() });
            await db.SaveChangesAsync(ct);
            var skus = await db.LocationStocks.Where(l => l.TenantId == m.TenantId).Select(l => l.Sku).Distinct().ToListAsync(ct);
            await ChannelStock.RecomputeAsync(db, m.TenantId, skus, clock.GetUtcNow(), ct, m.ConnectionId);
        }, logger);
    }
}
