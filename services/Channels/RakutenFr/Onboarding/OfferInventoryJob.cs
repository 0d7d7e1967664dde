using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Channels.RakutenFr.PublishingOffers;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenFr.Onboarding;

/// <summary>The inventory of a Rakuten France seller's existing offers (issue 21): the export read to its last page (the
/// offer cache is refreshed with it), handed to the catalog as pages of offers in one transaction with the job's end —
/// the export has no cursor to resume from, so a restarted inventory reads it again, whole. Queued when the connection
/// is added, and on request.</summary>
public sealed class OfferInventoryJob(IServiceScopeFactory scopes, OfferCatalogCache offers, TimeProvider clock) : IJobHandler<RakutenFrDbContext>
{
    public const string Kind = "offers.inventory";

    private const int Page = 500;

    string IJobHandler<RakutenFrDbContext>.Kind => Kind;

    public async Task<string> RunAsync(JobRun run, CancellationToken ct)
    {
        await ConnectionJobs.RequireUsableAsync<RakutenFrDbContext>(scopes, run, "take the inventory", ct);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenFrDbContext>();
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == run.TargetId, ct);
        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials);
        var found = await offers.RefreshAsync(db, connection, credentials, ct);
        var items = found.Select(o => new ExistingChannelItem(o.AdvertId.ToString(System.Globalization.CultureInfo.InvariantCulture), o.Title is { Length: > 0 } title ? title : o.Sku,
            false, [new ExistingChannelSku(o.Sku, o.Sku.Length > 0 ? o.Sku : null, o.Barcode, [], new Money(o.Price, "EUR"))])).ToList();
        var inventoryId = Guid.NewGuid();
        var pages = items.Chunk(Page).ToList();
        var now = clock.GetUtcNow();
        for (var i = 0; i < Math.Max(1, pages.Count); i++)
        {
            db.AddToOutbox(new ChannelItemsFound(connection.TenantId, connection.Id, Contracts.Channel.RakutenFr, inventoryId, i, i >= pages.Count - 1,
                items.Count, i < pages.Count ? pages[i] : [], now));
        }

        run.Stage(db, done: items.Count, total: items.Count);
        await db.SaveChangesAsync(ct);
        return $"{items.Count} offer(s) read from Rakuten France and handed to the catalog: the onboarding report is at GET /catalog/onboarding/{connection.Id}.";
    }
}
