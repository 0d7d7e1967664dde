using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Channels.RakutenJp.PushingStock;

/// <summary>Keeps the latest quantity per (connection, SKU) — an older version changes nothing — and wakes the
/// pusher, which coalesces whatever has accumulated into bulk calls. Consumed in batches: one transaction for many
/// changes, and of several versions of one SKU in a batch only the newest is written (an order moves its SKU's
/// quantity several times within a second: reserved, exported, Shopify's own decrement).</summary>
public sealed class ChannelStockChangedConsumer(RakutenJpDbContext db, StockPusher pusher, TimeProvider clock, ILogger<ChannelStockChangedConsumer> logger)
    : IConsumer<Batch<ChannelStockChanged>>, IConsumer<Batch<Contracts.Inventory.V1.ChannelStockChanged>>
{
    public async Task Consume(ConsumeContext<Batch<ChannelStockChanged>> context)
    {
        if (await ChannelStockBatches.ApplyNewestOnceAsync(db, context, nameof(ChannelStockChangedConsumer), ApplyAsync, logger))
        {
            pusher.Wake();
        }
    }

    // What an older Inventory left in the queue during an upgrade (v1, a SKU per message).
    public async Task Consume(ConsumeContext<Batch<Contracts.Inventory.V1.ChannelStockChanged>> context)
    {
        if (await ChannelStockBatches.ApplyNewestOnceAsync(db, context, nameof(ChannelStockChangedConsumer), ApplyAsync, logger))
        {
            pusher.Wake();
        }
    }

    private async Task ApplyAsync(IReadOnlyList<ChannelSkuChange> newest, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var connectionIds = newest.Select(m => m.ConnectionId).Distinct().ToList();
        // Until commit no other batch of these connections, and no push being recorded, touches their rows: they
        // can be read once for the whole batch and updated as read (a statement per change took most of a batch's time).
        await StockPusher.LockAsync(db, connectionIds, ct);
        var skus = newest.Select(m => m.Sku).Distinct().ToList();
        var rows = await db.StockPushes.Where(p => connectionIds.Contains(p.ConnectionId) && skus.Contains(p.Sku)).ToDictionaryAsync(p => (p.ConnectionId, p.Sku), ct);
        foreach (var m in newest)
        {
            if (!rows.TryGetValue((m.ConnectionId, m.Sku), out var push))
            {
                db.StockPushes.Add(new StockPush
                {
                    ConnectionId = m.ConnectionId, Sku = m.Sku, Quantity = m.Quantity, Version = m.Version, UpdatedAt = now, TraceParent = m.TraceParent,
                });
            }
            else if (push.Version < m.Version)
            {
                push.Quantity = m.Quantity;
                push.Version = m.Version;
                push.UpdatedAt = now;
                push.TraceParent = m.TraceParent;
            }
        }
    }
}
