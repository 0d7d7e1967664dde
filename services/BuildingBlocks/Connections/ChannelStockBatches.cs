using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.BuildingBlocks.Connections;

/// <summary>ChannelStockChanged as the Rakuten adapters consume it, in batches: every adapter receives every
/// connection's changes and keeps those of its own connections; within a batch only the newest version of a SKU
/// needs writing.</summary>
public static class ChannelStockBatches
{
    /// <summary>Hands <paramref name="apply"/> the newest change per (connection, SKU) among the batch's deliveries for
    /// this adapter's connections (not removed) and not yet applied, in one inbox transaction. False when none of the
    /// batch was for this adapter.</summary>
    public static async Task<bool> ApplyNewestOnceAsync<TContext>(TContext db, ConsumeContext<Batch<ChannelStockChanged>> context, string consumer,
        Func<IReadOnlyList<ChannelStockChanged>, CancellationToken, Task> apply, ILogger logger)
        where TContext : ChannelDbContext
    {
        var ct = context.CancellationToken;
        var ids = context.Message.Select(d => d.Message.ConnectionId).Distinct().ToList();
        var mine = (await db.Connections.AsNoTracking().Where(c => ids.Contains(c.Id) && c.RemovedAt == null).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var deliveries = context.Message.Where(d => mine.Contains(d.Message.ConnectionId))
            .Select(d => (d.MessageIdFor(consumer), d.Message))
            .ToList();
        if (deliveries.Count == 0)
        {
            return false; // other channels' connections
        }

        // Of several versions of one (connection, SKU), the newest: after it the older ones would change nothing.
        await db.ExecuteOnceAsync(deliveries, consumer, (fresh, token) =>
            apply(fresh.GroupBy(c => (c.ConnectionId, c.Sku)).Select(g => g.MaxBy(c => c.Version)!).ToList(), token), logger, ct);
        return true;
    }
}
