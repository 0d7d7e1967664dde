using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

namespace Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

/// <summary>The seller's offers by SKU, from the stock_ws export, kept in the database and refreshed when older
/// than <c>Platform:RakutenFr:OfferRefresh</c> (10 min), or when a SKU is asked for that it does not know and the
/// export was read before the request was made (an offer the merchant created just before publishing is then found;
/// a burst of requests missing SKUs reads the export once, since every page counts against the hourly request quota).</summary>
public sealed class OfferCatalogCache(RakutenFrStockClient stock, TimeProvider clock, IConfiguration configuration, ILogger<OfferCatalogCache> logger)
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    private TimeSpan MaxAge => configuration.GetValue("Platform:RakutenFr:OfferRefresh", TimeSpan.FromMinutes(10));

    /// <param name="askedAt">When the caller's request was made: a miss refreshes the export only if it was read before then.</param>
    public async Task<IReadOnlySet<string>> OfferedSkusAsync(RakutenFrDbContext db, ConnectionRecord connection, RakutenFrCredentials credentials,
        IReadOnlyCollection<string> needed, DateTimeOffset askedAt, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(connection.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow();
            var refreshed = (await db.OfferCatalogs.AsNoTracking().FirstOrDefaultAsync(c => c.ConnectionId == connection.Id, ct))?.RefreshedAt;
            var known = (await db.KnownOffers.AsNoTracking().Where(o => o.ConnectionId == connection.Id && needed.Contains(o.Sku)).Select(o => o.Sku).ToListAsync(ct)).ToHashSet();
            var stale = refreshed is null || now - refreshed > MaxAge || (known.Count < needed.Count && refreshed <= askedAt);
            if (!stale)
            {
                return known;
            }

            await RefreshAsync(db, connection, credentials, ct);
            return (await db.KnownOffers.AsNoTracking().Where(o => o.ConnectionId == connection.Id && needed.Contains(o.Sku)).Select(o => o.Sku).ToListAsync(ct)).ToHashSet();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Reads the export to its end and keeps it; answers the offers read.</summary>
    public async Task<IReadOnlyList<FrOffer>> RefreshAsync(RakutenFrDbContext db, ConnectionRecord connection, RakutenFrCredentials credentials, CancellationToken ct)
    {
        var offers = await stock.ExportAsync(connection, credentials, ct);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.KnownOffers.Where(o => o.ConnectionId == connection.Id).ExecuteDeleteAsync(ct);
        db.KnownOffers.AddRange(offers.GroupBy(o => o.Sku).Select(g => g.First()).Select(o => new KnownOffer
        {
            ConnectionId = connection.Id, Sku = o.Sku, AdvertId = o.AdvertId, Price = o.Price, Stock = o.Stock, RefreshedAt = now,
        }));
        var catalog = await db.OfferCatalogs.FirstOrDefaultAsync(c => c.ConnectionId == connection.Id, ct);
        if (catalog is null) db.OfferCatalogs.Add(new OfferCatalog { ConnectionId = connection.Id, RefreshedAt = now });
        else catalog.RefreshedAt = now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        logger.LogInformation("Rakuten France offers of {Seller}: {Count} from the export", connection.ExternalId, offers.Count);
        return offers;
    }
}
