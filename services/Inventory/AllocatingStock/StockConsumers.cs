using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Connections;
using Rakuten.Platform.Contracts.Inventory;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Inventory.AllocatingStock;

/// <summary>Shopify stock levels, a batch at a time: each applied unless older than the one kept (versions grow per
/// item and location), then the channel quantities of the SKUs they touch recomputed once. At a steady 100 changes a
/// second a transaction per change, with its lock, reads and recomputation, was the stage that fell behind.</summary>
public sealed class StockLevelReportedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<StockLevelReportedConsumer> logger) : IConsumer<Batch<StockLevelReported>>
{
    public Task Consume(ConsumeContext<Batch<StockLevelReported>> context) =>
        db.ExecuteOnceAsync(context.Message, nameof(StockLevelReportedConsumer), async (levels, ct) =>
        {
            await ChannelStock.LockAllAsync(db, levels.Select(l => (l.TenantId, l.Sku)), ct);
            var tenants = levels.Select(l => l.TenantId).Distinct().ToList();
            var skus = levels.Select(l => l.Sku).Distinct().ToList();
            var rows = (await db.LocationStocks.Where(l => tenants.Contains(l.TenantId) && skus.Contains(l.Sku)).ToListAsync(ct))
                .ToDictionary(l => (l.SourceConnectionId, l.LocationId, l.Sku));
            foreach (var m in levels.OrderBy(l => l.Version))
            {
                if (rows.TryGetValue((m.ConnectionId, m.LocationId, m.Sku), out var row) && row.Version >= m.Version)
                {
                    logger.LogDebug("Stale stock level v{Version} for {Sku} at {Location} ignored", m.Version, m.Sku, m.LocationId);
                    continue;
                }

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
            foreach (var tenant in levels.GroupBy(l => l.TenantId))
            {
                await ChannelStock.RecomputeAsync(db, tenant.Key, tenant.Select(l => l.Sku).Distinct().ToList(), clock.GetUtcNow(), ct);
            }
        }, logger, context.CancellationToken);
}

/// <summary>Reservations: an accepted order holds its units on every channel until Shopify has the order
/// (OrderExported: Shopify's own stock then counts it), it ships, or it is cancelled.</summary>
public static class Reservations
{
    public static async Task ChangeAsync(InventoryDbContext db, Guid tenantId, Guid orderId, IEnumerable<(string Sku, int Delta)> changes,
        DateTimeOffset now, CancellationToken ct)
    {
        var bySku = changes.GroupBy(c => c.Sku).ToDictionary(g => g.Key, g => g.Sum(c => c.Delta));
        await ChannelStock.LockAllAsync(db, bySku.Keys.Select(sku => (tenantId, sku)), ct);

        var skus = bySku.Keys.ToList();
        var rows = await db.Reservations.Where(r => r.OrderId == orderId && skus.Contains(r.Sku)).ToDictionaryAsync(r => r.Sku, ct);
        foreach (var (sku, delta) in bySku)
        {
            if (!rows.TryGetValue(sku, out var row))
            {
                if (delta <= 0) continue;
                row = new Reservation { TenantId = tenantId, OrderId = orderId, Sku = sku };
                db.Reservations.Add(row);
            }

            row.Quantity = Math.Max(0, row.Quantity + delta);
            if (row.Quantity == 0) db.Reservations.Remove(row);
        }

        await db.SaveChangesAsync(ct);
        await ChannelStock.RecomputeAsync(db, tenantId, skus, now, ct);
    }

    public static async Task EndAsync(InventoryDbContext db, Guid tenantId, Guid orderId, DateTimeOffset now, CancellationToken ct)
    {
        var held = await db.Reservations.AsNoTracking().Where(r => r.OrderId == orderId).ToListAsync(ct);
        await ChangeAsync(db, tenantId, orderId, held.Select(r => (r.Sku, -r.Quantity)), now, ct);
    }
}

public sealed class OrderAcceptedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<OrderAcceptedConsumer> logger) : IConsumer<OrderAccepted>
{
    public Task Consume(ConsumeContext<OrderAccepted> context) =>
        db.ExecuteOnceAsync(context, nameof(OrderAcceptedConsumer), ct => Reservations.ChangeAsync(db, context.Message.TenantId, context.Message.OrderId,
            context.Message.Order.Lines.Where(l => l.Sku is not null).Select(l => (l.Sku!, l.Quantity)), clock.GetUtcNow(), ct), logger);
}

public sealed class OrderCancelledConsumer(InventoryDbContext db, TimeProvider clock, ILogger<OrderCancelledConsumer> logger) : IConsumer<OrderCancelled>
{
    public Task Consume(ConsumeContext<OrderCancelled> context) =>
        db.ExecuteOnceAsync(context, nameof(OrderCancelledConsumer), ct => Reservations.ChangeAsync(db, context.Message.TenantId, context.Message.OrderId,
            context.Message.Lines.Select(l => (l.Sku, -l.Quantity)), clock.GetUtcNow(), ct), logger);
}

public sealed class OrderExportedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<OrderExportedConsumer> logger) : IConsumer<OrderExported>
{
    public Task Consume(ConsumeContext<OrderExported> context) =>
        db.ExecuteOnceAsync(context, nameof(OrderExportedConsumer), ct => Reservations.EndAsync(db, context.Message.TenantId, context.Message.OrderId, clock.GetUtcNow(), ct), logger);
}

public sealed class ShipmentDispatchedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<ShipmentDispatchedConsumer> logger) : IConsumer<ShipmentDispatched>
{
    public Task Consume(ConsumeContext<ShipmentDispatched> context) =>
        db.ExecuteOnceAsync(context, nameof(ShipmentDispatchedConsumer), ct => Reservations.EndAsync(db, context.Message.TenantId, context.Message.OrderId, clock.GetUtcNow(), ct), logger);
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
