using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Inventory.AllocatingStock;

/// <summary>Recomputes the channel quantities of some SKUs on every active Rakuten connection of a tenant and
/// publishes the changed ones as ChannelStockChanged (one per connection), in the caller's transaction. Each SKU is locked first, so
/// two changes of one SKU never interleave their versions.</summary>
public static class ChannelStock
{
    public static AllocationRule RuleOf(ChannelRule row) => new(
        row.Locations is null ? null : JsonSerializer.Deserialize<List<string>>(row.Locations), row.Buffer, row.MaxQuantity, row.ZeroBelow);

    /// <summary>Several SKUs at once, always in the same order, so that two transactions sharing SKUs cannot deadlock.</summary>
    public static Task LockAllAsync(InventoryDbContext db, IEnumerable<(Guid TenantId, string Sku)> skus, CancellationToken ct) =>
        AdvisoryLock.AcquireAllAsync(db, skus.Select(s => LockKey(s.TenantId, s.Sku)), ct);

    private static string LockKey(Guid tenantId, string sku) => $"inventory:{tenantId}:{sku}";

    public static async Task RecomputeAsync(InventoryDbContext db, Guid tenantId, IReadOnlyCollection<string> skus, DateTimeOffset now, CancellationToken ct,
        Guid? onlyConnection = null, bool republish = false)
    {
        var rules = await db.ChannelRules.AsNoTracking()
            .Where(r => r.TenantId == tenantId && !r.Removed && (onlyConnection == null || r.ConnectionId == onlyConnection)).ToListAsync(ct);
        if (rules.Count == 0 || skus.Count == 0)
        {
            return;
        }

        var levels = (await db.LocationStocks.AsNoTracking().Where(l => l.TenantId == tenantId && skus.Contains(l.Sku)).ToListAsync(ct))
            .ToLookup(l => l.Sku);
        var reserved = (await db.Reservations.AsNoTracking().Where(r => r.TenantId == tenantId && skus.Contains(r.Sku))
            .GroupBy(r => r.Sku).Select(g => new { Sku = g.Key, Quantity = g.Sum(r => r.Quantity) }).ToListAsync(ct)).ToDictionary(r => r.Sku, r => r.Quantity);
        var connectionIds = rules.Select(r => r.ConnectionId).ToList();
        var published = (await db.ChannelQuantities.Where(q => connectionIds.Contains(q.ConnectionId) && skus.Contains(q.Sku)).ToListAsync(ct))
            .ToDictionary(q => (q.ConnectionId, q.Sku));
        foreach (var rule in rules)
        {
            var allocation = RuleOf(rule);
            foreach (var sku in skus)
            {
                var quantity = Allocation.ChannelQuantity(levels[sku].Select(l => (l.LocationId, l.Available)), reserved.GetValueOrDefault(sku), allocation);
                if (!published.TryGetValue((rule.ConnectionId, sku), out var last))
                {
                    last = new ChannelQuantity { ConnectionId = rule.ConnectionId, Sku = sku, Quantity = -1 };
                    db.ChannelQuantities.Add(last);
                }

                if (last.Quantity == quantity && !republish)
                {
                    continue; // published only when a channel quantity changes
                }

                last.Quantity = quantity;
                last.Version++;
                // One ChannelStockChanged per connection for the SKUs of this unit of work.
                db.AddToOutboxBatch((tenantId, rule.ConnectionId, Enum.Parse<Channel>(rule.Channel)), new ChannelSkuQuantity(sku, quantity, last.Version),
                    (key, quantities) => new ChannelStockChanged(key.Item1, key.Item2, key.Item3, quantities, now));
            }
        }
    }
}
