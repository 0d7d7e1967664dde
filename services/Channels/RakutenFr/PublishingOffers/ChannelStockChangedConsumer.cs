using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.ImportingSales;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

/// <summary>The latest quantity per (connection, SKU) joins the SKU's pending offer change — coalesced with any
/// price change waiting — and goes out with the next stock file; new sales are accepted against it. An older version
/// than the last seen changes nothing. Consumed in batches: one transaction for many changes, and of several versions
/// of one SKU in a batch only the newest is applied.</summary>
public sealed class ChannelStockChangedConsumer(RakutenFrDbContext db, OfferFilePusher pusher, TimeProvider clock, ILogger<ChannelStockChangedConsumer> logger)
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
        var connectionIds = newest.Select(m => m.ConnectionId).Distinct().ToList();
        // Until commit no other batch, listing or file of these connections touches their lines: the rows below can be
        // read once for the whole batch and updated as read (a query per change took most of a batch's time under load).
        await OfferFilePusher.LockAsync(db, connectionIds, ct);
        var skus = newest.Select(m => m.Sku).Distinct().ToList();
        var versions = await db.StockVersions.Where(v => connectionIds.Contains(v.ConnectionId) && skus.Contains(v.Sku)).ToDictionaryAsync(v => (v.ConnectionId, v.Sku), ct);
        var quantities = await db.Quantities.Where(q => connectionIds.Contains(q.ConnectionId) && skus.Contains(q.Sku)).ToDictionaryAsync(q => (q.ConnectionId, q.Sku), ct);
        // The SKUs' lines, pending or in a file not settled yet, in one read.
        var lines = await db.OfferChanges.Where(c => connectionIds.Contains(c.ConnectionId) && skus.Contains(c.Sku)).ToListAsync(ct);
        // One pending line per SKU; before the lock two consumers could each add one, and both still go out as they are.
        var pending = lines.Where(c => c.ImportId == null)
            .GroupBy(c => (c.ConnectionId, c.Sku)).ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.QueuedAt).First());
        // An advert being created (queued, or in a file not settled yet) takes the stock as an offer would.
        var creating = lines.Where(c => c.Ean != null || c.ProductPage != null).Select(c => (c.ConnectionId, c.Sku)).ToHashSet();
        var catalogued = (await db.OfferCatalogs.Where(c => connectionIds.Contains(c.ConnectionId)).Select(c => c.ConnectionId).Distinct().ToListAsync(ct)).ToHashSet();
        var offered = (await db.KnownOffers.Where(o => connectionIds.Contains(o.ConnectionId) && skus.Contains(o.Sku)).Select(o => new { o.ConnectionId, o.Sku }).ToListAsync(ct))
            .Select(o => (o.ConnectionId, o.Sku)).ToHashSet();
        var leftAlone = (await db.LeftAloneOffers.Where(o => connectionIds.Contains(o.ConnectionId) && skus.Contains(o.Sku)).Select(o => new { o.ConnectionId, o.Sku }).ToListAsync(ct))
            .Select(o => (o.ConnectionId, o.Sku)).ToHashSet();
        foreach (var m in newest)
        {
            var key = (m.ConnectionId, m.Sku);
            if (!versions.TryGetValue(key, out var version))
                db.StockVersions.Add(new OfferStockVersion { ConnectionId = m.ConnectionId, Sku = m.Sku, Version = m.Version });
            else if (version.Version >= m.Version)
                continue; // stale
            else
                version.Version = m.Version;

            // The quantity new sales are accepted against.
            if (quantities.TryGetValue(key, out var known)) known.Quantity = m.Quantity;
            else db.Quantities.Add(new KnownQuantity { ConnectionId = m.ConnectionId, Sku = m.Sku, Quantity = m.Quantity });

            if (leftAlone.Contains(key))
                continue; // the merchant left this offer alone at onboarding: the platform does not touch it

            if (catalogued.Contains(m.ConnectionId) && !offered.Contains(key) && !creating.Contains(key))
                continue; // no offer with this SKU on Rakuten France (nor one being created): its listing already says so, and the file stays clean

            if (!pending.TryGetValue(key, out var change))
            {
                change = new OfferChange { Id = Guid.NewGuid(), ConnectionId = m.ConnectionId, TenantId = m.TenantId, Sku = m.Sku, QueuedAt = clock.GetUtcNow() };
                db.OfferChanges.Add(change);
            }

            change.Stock = m.Quantity;
            change.TraceParent = m.TraceParent;
        }
    }
}

/// <summary>The last ChannelStockChanged version applied per (connection, SKU).</summary>
public sealed class OfferStockVersion
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public long Version { get; set; }
}
