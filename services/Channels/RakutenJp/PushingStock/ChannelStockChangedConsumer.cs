using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Channels.RakutenJp.PushingStock;

/// <summary>Keeps the latest quantity per (connection, SKU) — an older version changes nothing — and wakes the
/// pusher, which coalesces whatever has accumulated into bulk calls.</summary>
public sealed class ChannelStockChangedConsumer(RakutenJpDbContext db, StockPusher pusher, TimeProvider clock, ILogger<ChannelStockChangedConsumer> logger)
    : IConsumer<ChannelStockChanged>
{
    public async Task Consume(ConsumeContext<ChannelStockChanged> context)
    {
        var m = context.Message;
        if (!await db.Connections.AsNoTracking().AnyAsync(c => c.Id == m.ConnectionId && c.RemovedAt == null, context.CancellationToken))
        {
            return; // another channel's connection
        }

        await db.ExecuteOnceAsync(context, nameof(ChannelStockChangedConsumer), async ct =>
        {
            // A conditional update holds the row until commit: a concurrent older version then finds nothing to update.
            var now = clock.GetUtcNow();
            var updated = await db.StockPushes.Where(p => p.ConnectionId == m.ConnectionId && p.Sku == m.Sku && p.Version < m.Version)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Quantity, m.Quantity).SetProperty(p => p.Version, m.Version).SetProperty(p => p.UpdatedAt, now), ct);
            if (updated == 0 && !await db.StockPushes.AnyAsync(p => p.ConnectionId == m.ConnectionId && p.Sku == m.Sku, ct))
            {
                // The first quantity of this SKU; a racing first insert loses on the key and is retried as an update.
                db.StockPushes.Add(new StockPush { ConnectionId = m.ConnectionId, Sku = m.Sku, Quantity = m.Quantity, Version = m.Version, UpdatedAt = now });
            }
        }, logger);
        pusher.Wake();
    }
}
