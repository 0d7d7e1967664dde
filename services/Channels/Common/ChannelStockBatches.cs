using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Channels.Common;

/// <summary>One SKU's quantity for one connection, as a Rakuten adapter applies it (from either contract version), with
/// the trace of the message that carried it (the change's own trace, from the webhook that found it).</summary>
public sealed record ChannelSkuChange(Guid TenantId, Guid ConnectionId, string Sku, int Quantity, long Version, string? TraceParent = null);

/// <summary>ChannelStockChanged as the Rakuten adapters consume it, in batches: every adapter receives every
/// connection's changes and keeps those of its own connections; within a batch only the newest version of a SKU
/// needs writing.</summary>
public static class ChannelStockBatches
{
    /// <summary>Hands <paramref name="apply"/> the newest change per (connection, SKU) among the batch's messages for
    /// this adapter's connections (not removed) and not yet applied, in one inbox transaction. False when none of the
    /// batch was for this adapter.</summary>
    public static Task<bool> ApplyNewestOnceAsync<TContext>(TContext db, ConsumeContext<Batch<ChannelStockChanged>> context, string consumer,
        Func<IReadOnlyList<ChannelSkuChange>, CancellationToken, Task> apply, ILogger logger)
        where TContext : ChannelDbContext =>
        ApplyNewestOnceAsync(db, context, consumer, m => m.ConnectionId,
            m => m.Quantities.Select(q => new ChannelSkuChange(m.TenantId, m.ConnectionId, q.Sku, q.Quantity, q.Version)), apply, logger);

    /// <summary>v1, a SKU per message: what an older Inventory may have left in the queue during an upgrade.</summary>
    public static Task<bool> ApplyNewestOnceAsync<TContext>(TContext db, ConsumeContext<Batch<Contracts.Inventory.V1.ChannelStockChanged>> context, string consumer,
        Func<IReadOnlyList<ChannelSkuChange>, CancellationToken, Task> apply, ILogger logger)
        where TContext : ChannelDbContext =>
        ApplyNewestOnceAsync(db, context, consumer, m => m.ConnectionId,
            m => [new ChannelSkuChange(m.TenantId, m.ConnectionId, m.Sku, m.Quantity, m.Version)], apply, logger);

    private static async Task<bool> ApplyNewestOnceAsync<TContext, TMessage>(TContext db, ConsumeContext<Batch<TMessage>> context, string consumer,
        Func<TMessage, Guid> connectionOf, Func<TMessage, IEnumerable<ChannelSkuChange>> changesOf, Func<IReadOnlyList<ChannelSkuChange>, CancellationToken, Task> apply,
        ILogger logger)
        where TContext : ChannelDbContext
        where TMessage : class
    {
        var ct = context.CancellationToken;
        var ids = context.Message.Select(d => connectionOf(d.Message)).Distinct().ToList();
        var mine = (await db.Connections.AsNoTracking().Where(c => ids.Contains(c.Id) && c.RemovedAt == null).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var deliveries = context.Message.Where(d => mine.Contains(connectionOf(d.Message)))
            .Select(d => (d.MessageIdFor(consumer), d.Message))
            .ToList();
        if (deliveries.Count == 0)
        {
            return false; // other channels' connections
        }

        Traces.Remember(context.Message);

        // Of several versions of one (connection, SKU), the newest: after it the older ones would change nothing.
        await db.ExecuteOnceAsync(deliveries, consumer, (fresh, token) =>
            apply(fresh.SelectMany(m => changesOf(m).Select(c => c with { TraceParent = Traces.ParentOf(m) }))
                .GroupBy(c => (c.ConnectionId, c.Sku)).Select(g => g.MaxBy(c => c.Version)!).ToList(), token), logger, ct);
        return true;
    }
}
