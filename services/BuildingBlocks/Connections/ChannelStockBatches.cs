using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.BuildingBlocks.Connections;

/// <summary>ChannelStockChanged as the Rakuten adapters consume it, in batches: every adapter receives every
/// connection's changes and keeps those of its own connections; within a batch only the newest version of a SKU
/// needs writing.</summary>
public static class ChannelStockBatches
{
    /// <summary>The deliveries addressed to this adapter's connections (not removed), as (message id, message).</summary>
    public static async Task<IReadOnlyList<(Guid MessageId, ChannelStockChanged Message)>> ForConnectionsAsync(
        ChannelDbContext db, Batch<ChannelStockChanged> batch, CancellationToken ct)
    {
        var ids = batch.Select(d => d.Message.ConnectionId).Distinct().ToList();
        var mine = (await db.Connections.AsNoTracking().Where(c => ids.Contains(c.Id) && c.RemovedAt == null).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        return batch.Where(d => mine.Contains(d.Message.ConnectionId))
            .Select(d => (d.MessageId ?? throw new InvalidOperationException("ChannelStockChanged without a MessageId cannot be deduplicated."), d.Message))
            .ToList();
    }

    /// <summary>Of several versions of one (connection, SKU), the newest: after it the older ones would change nothing.</summary>
    public static IEnumerable<ChannelStockChanged> Newest(IEnumerable<ChannelStockChanged> changes) =>
        changes.GroupBy(c => (c.ConnectionId, c.Sku)).Select(g => g.MaxBy(c => c.Version)!);
}
