using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.Channels.RakutenFr.ImportingSales;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

/// <summary>The latest quantity per (connection, SKU) joins the SKU's pending offer change — coalesced with any
/// price change waiting — and goes out with the next stock file; new sales are accepted against it. An older version
/// than the last seen changes nothing. Consumed in batches: one transaction for many changes, and of several versions
/// of one SKU in a batch only the newest is applied.</summary>
public sealed class ChannelStockChangedConsumer(RakutenFrDbContext db, OfferFilePusher pusher, TimeProvider clock, ILogger<ChannelStockChangedConsumer> logger)
    : IConsumer<Batch<ChannelStockChanged>>
{
    public async Task Consume(ConsumeContext<Batch<ChannelStockChanged>> context)
    {
        if (await ChannelStockBatches.ApplyNewestOnceAsync(db, context, nameof(ChannelStockChangedConsumer), async (newest, ct) =>
            {
                foreach (var m in newest)
                {
                    await ApplyAsync(m, ct);
                }
            }, logger))
        {
            pusher.Wake();
        }
    }

    private async Task ApplyAsync(ChannelStockChanged m, CancellationToken ct)
    {
        // A conditional update holds the version row until commit: a concurrent older version finds nothing to update.
        var newer = await db.StockVersions.Where(v => v.ConnectionId == m.ConnectionId && v.Sku == m.Sku && v.Version < m.Version)
            .ExecuteUpdateAsync(s => s.SetProperty(v => v.Version, m.Version), ct);
        if (newer == 0)
        {
            if (await db.StockVersions.AnyAsync(v => v.ConnectionId == m.ConnectionId && v.Sku == m.Sku, ct))
            {
                return; // stale
            }

            db.StockVersions.Add(new OfferStockVersion { ConnectionId = m.ConnectionId, Sku = m.Sku, Version = m.Version });
        }

        // The quantity new sales are accepted against.
        var known = await db.Quantities.FirstOrDefaultAsync(q => q.ConnectionId == m.ConnectionId && q.Sku == m.Sku, ct);
        if (known is null) db.Quantities.Add(new KnownQuantity { ConnectionId = m.ConnectionId, Sku = m.Sku, Quantity = m.Quantity });
        else known.Quantity = m.Quantity;

        if (await db.OfferCatalogs.AnyAsync(c => c.ConnectionId == m.ConnectionId, ct)
            && !await db.KnownOffers.AnyAsync(o => o.ConnectionId == m.ConnectionId && o.Sku == m.Sku, ct))
        {
            return; // no offer with this SKU on Rakuten France: its listing already says so, and the file stays clean
        }

        var change = await db.OfferChanges.FirstOrDefaultAsync(c => c.ConnectionId == m.ConnectionId && c.Sku == m.Sku && c.ImportId == null, ct);
        if (change is null)
        {
            change = new OfferChange { Id = Guid.NewGuid(), ConnectionId = m.ConnectionId, TenantId = m.TenantId, Sku = m.Sku, QueuedAt = clock.GetUtcNow() };
            db.OfferChanges.Add(change);
        }

        change.Stock = m.Quantity;
    }
}

/// <summary>The last ChannelStockChanged version applied per (connection, SKU).</summary>
public sealed class OfferStockVersion
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public long Version { get; set; }
}
