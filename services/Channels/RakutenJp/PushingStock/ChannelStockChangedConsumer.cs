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
            var row = await db.StockPushes.FirstOrDefaultAsync(p => p.ConnectionId == m.ConnectionId && p.Sku == m.Sku, ct);
            if (row is not null && row.Version >= m.Version)
            {
                return;
            }

            if (row is null)
            {
                row = new StockPush { ConnectionId = m.ConnectionId, Sku = m.Sku };
                db.StockPushes.Add(row);
            }

            row.Quantity = m.Quantity;
            row.Version = m.Version;
            row.UpdatedAt = clock.GetUtcNow();
        }, logger);
        pusher.Wake();
    }
}
