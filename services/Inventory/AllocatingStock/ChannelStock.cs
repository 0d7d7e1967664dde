using System.Text.Json;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Changes;
using Rakuten.Platform.Inventory.Kits;
using Rakuten.Platform.Inventory.PublicApi;
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

    /// <summary>Recomputes the SKUs' quantities on the tenant's active Rakuten connections (or only <paramref name="onlyConnection"/>),
    /// publishes the changed ones, and records every SKU's availability in the change feed (WatchAvailability) — all in
    /// the caller's transaction.</summary>
    public static async Task RecomputeAsync(InventoryDbContext db, Guid tenantId, IReadOnlyCollection<string> skus, DateTimeOffset now, CancellationToken ct,
        Guid? onlyConnection = null, bool republish = false)
    {
        if (skus.Count == 0)
        {
            return;
        }

        // A component's change is a change of every kit made of it; a kit's own Shopify level counts for nothing (its components do).
        var kits = await KitBook.TouchingAsync(db, tenantId, skus, ct);
        var extraKits = kits.Keys.Except(skus).ToList();
        // The kits' keys too, so that two changes of different components of one kit do not interleave its versions.
        await LockAllAsync(db, extraKits.Select(k => (tenantId, k)), ct);
        skus = [.. skus.Union(extraKits)];
        var read = skus.Union(kits.Values.SelectMany(c => c.Select(x => x.Sku))).ToList();
        var rules = await db.ChannelRules.AsNoTracking().Where(r => r.TenantId == tenantId && !r.Removed).ToListAsync(ct);
        var levels = (await db.LocationStocks.AsNoTracking().Where(l => l.TenantId == tenantId && read.Contains(l.Sku)).ToListAsync(ct))
            .ToLookup(l => l.Sku);
        var reserved = (await db.Reservations.AsNoTracking().Where(r => r.TenantId == tenantId && read.Contains(r.Sku))
            .GroupBy(r => r.Sku).Select(g => new { Sku = g.Key, Quantity = g.Sum(r => r.Quantity) }).ToListAsync(ct)).ToDictionary(r => r.Sku, r => r.Quantity);
        var connectionIds = rules.Select(r => r.ConnectionId).ToList();
        var published = connectionIds.Count == 0
            ? []
            : (await db.ChannelQuantities.Where(q => connectionIds.Contains(q.ConnectionId) && skus.Contains(q.Sku)).ToListAsync(ct)).ToDictionary(q => (q.ConnectionId, q.Sku));
        foreach (var rule in rules.Where(r => onlyConnection == null || r.ConnectionId == onlyConnection))
        {
            var allocation = RuleOf(rule);
            foreach (var sku in skus)
            {
                var quantity = kits.TryGetValue(sku, out var components)
                    ? KitRules.ChannelQuantity(components.Select(c => (levels[c.Sku].Select(l => (l.LocationId, l.Available)), reserved.GetValueOrDefault(c.Sku), c.Quantity)), allocation)
                    : Allocation.ChannelQuantity(levels[sku].Select(l => (l.LocationId, l.Available)), reserved.GetValueOrDefault(sku), allocation);
                if (!published.TryGetValue((rule.ConnectionId, sku), out var last))
                {
                    last = new ChannelQuantity { ConnectionId = rule.ConnectionId, Sku = sku, Quantity = -1 };
                    db.ChannelQuantities.Add(last);
                    published[(rule.ConnectionId, sku)] = last;
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

        var quantities = published.Values.ToLookup(q => q.Sku);
        foreach (var sku in skus)
        {
            // A kit has no stock of its own: what each channel is told is its availability.
            var availability = AvailabilityMessages.Of(sku, kits.ContainsKey(sku) ? [] : levels[sku], kits.ContainsKey(sku) ? 0 : reserved.GetValueOrDefault(sku), rules,
                quantities[sku].ToDictionary(q => q.ConnectionId), now);
            db.RecordChange(tenantId, AvailabilityMessages.Topic, sku, availability.ToByteArray(), now);
        }
    }
}
