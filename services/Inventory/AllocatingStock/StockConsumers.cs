using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Connections;
using Rakuten.Platform.Contracts.Inventory;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Inventory.AllocatingStock;

/// <summary>A Shopify stock level: applied unless older than the one kept (versions grow per item and location).</summary>
public sealed class StockLevelReportedConsumer(InventoryDbContext db, TimeProvider clock, ILogger<StockLevelReportedConsumer> logger) : IConsumer<StockLevelReported>
{
    public Task Consume(ConsumeContext<StockLevelReported> context) =>
        db.ExecuteOnceAsync(context, nameof(StockLevelReportedConsumer), async ct =>
        {
            var m = context.Message;
            await ChannelStock.LockAsync(db, m.TenantId, m.Sku, ct);
            var row = await db.LocationStocks.FirstOrDefaultAsync(l => l.SourceConnectionId == m.ConnectionId && l.LocationId == m.LocationId && l.Sku == m.Sku, ct);
            if (row is not null && row.Version >= m.Version)
            {
                logger.LogDebug("Stale stock level v{Version} for {Sku} at {Location} ignored", m.Version, m.Sku, m.LocationId);
                return;
            }

            if (row is null)
            {
                row = new LocationStock { TenantId = m.TenantId, SourceConnectionId = m.ConnectionId, LocationId = m.LocationId, Sku = m.Sku };
                db.LocationStocks.Add(row);
            }

            row.Available = m.Available;
            row.Version = m.Version;
            row.UpdatedAt = m.OccurredAt;
            await db.SaveChangesAsync(ct); // the recomputation reads the levels from the database
            await ChannelStock.RecomputeAsync(db, m.TenantId, [m.Sku], clock.GetUtcNow(), ct);
        }, logger);
}

/// <summary>Reservations: an accepted order holds its units on every channel until Shopify has the order
/// (OrderExported: Shopify's own stock then counts it), it ships, or it is cancelled.</summary>
public static class Reservations
{
    public static async Task ChangeAsync(InventoryDbContext db, Guid tenantId, Guid orderId, IEnumerable<(string Sku, int Delta)> changes,
        DateTimeOffset now, CancellationToken ct)
    {
        var bySku = changes.GroupBy(c => c.Sku).ToDictionary(g => g.Key, g => g.Sum(c => c.Delta));
        // Several SKUs are locked in one order so that two orders sharing SKUs cannot deadlock.
        foreach (var sku in bySku.Keys.Order(StringComparer.Ordinal))
        {
            await ChannelStock.LockAsync(db, tenantId, sku, ct);
        }

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
