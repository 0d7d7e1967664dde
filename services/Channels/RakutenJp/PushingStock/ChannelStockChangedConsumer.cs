using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Channels.RakutenJp.PushingStock;

/// <summary>Keeps the latest quantity per (connection, SKU) — an older version changes nothing — and wakes the
/// pusher, which coalesces whatever has accumulated into bulk calls. Consumed in batches: one transaction for many
/// changes, and of several versions of one SKU in a batch only the newest is written (an order moves its SKU's
/// quantity several times within a second: reserved, exported, Shopify's own decrement).</summary>
public sealed class ChannelStockChangedConsumer(RakutenJpDbContext db, StockPusher pusher, TimeProvider clock, ILogger<ChannelStockChangedConsumer> logger)
    : IConsumer<Batch<ChannelStockChanged>>
{
    public async Task Consume(ConsumeContext<Batch<ChannelStockChanged>> context)
    {
        if (await ChannelStockBatches.ApplyNewestOnceAsync(db, context, nameof(ChannelStockChangedConsumer), async (newest, ct) =>
            {
                var now = clock.GetUtcNow();
                await StockPusher.LockAsync(db, newest.Select(m => m.ConnectionId).Distinct(), ct);
                foreach (var m in newest)
                {
                    // A conditional update holds the row until commit: a concurrent older version then finds nothing to update.
                    var updated = await db.StockPushes.Where(p => p.ConnectionId == m.ConnectionId && p.Sku == m.Sku && p.Version < m.Version)
                        .ExecuteUpdateAsync(s => s.SetProperty(p => p.Quantity, m.Quantity).SetProperty(p => p.Version, m.Version).SetProperty(p => p.UpdatedAt, now), ct);
                    if (updated == 0 && !await db.StockPushes.AnyAsync(p => p.ConnectionId == m.ConnectionId && p.Sku == m.Sku, ct))
                    {
                        // The first quantity of this SKU; a racing first insert loses on the key and the batch is retried (as an update).
                        db.StockPushes.Add(new StockPush { ConnectionId = m.ConnectionId, Sku = m.Sku, Quantity = m.Quantity, Version = m.Version, UpdatedAt = now });
                    }
                }
            }, logger))
        {
            pusher.Wake();
        }
    }
}
