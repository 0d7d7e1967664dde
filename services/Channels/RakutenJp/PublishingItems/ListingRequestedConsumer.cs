using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.PushingStock;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.PublishingItems;

/// <summary>A listing request for one of this service's RMS connections: carried out on RMS, then its outcome
/// published once. Requests for one listing run one at a time, and one older than the last applied is dropped,
/// so a late or redelivered request never overwrites a newer state. The RMS call happens outside the database
/// transaction (it may wait for the rate limit); a redelivery repeats it, which is harmless: PUT, PATCH and
/// DELETE of a whole item are idempotent.</summary>
public sealed class ListingRequestedConsumer(
    RakutenJpDbContext db, ConnectionSecrets secrets, ItemPublisher publisher, UploadingImages.CabinetUploader cabinet, ILogger<ListingRequestedConsumer> logger)
    : IConsumer<ListingRequested>
{
    private static readonly ConcurrentDictionary<Guid, SemaphoreSlim> Serial = new();

    public async Task Consume(ConsumeContext<ListingRequested> context)
    {
        var request = context.Message;
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.ConnectionId && c.RemovedAt == null, context.CancellationToken);
        if (connection is null)
        {
            return; // another channel's connection, or one removed since
        }

        var serial = Serial.GetOrAdd(request.ListingId, _ => new SemaphoreSlim(1, 1));
        await serial.WaitAsync(context.CancellationToken);
        try
        {
            var applied = await db.PublishedItems.AsNoTracking().FirstOrDefaultAsync(p => p.ListingId == request.ListingId, context.CancellationToken);
            if (applied is not null && applied.AppliedVersion >= request.Version)
            {
                logger.LogDebug("Listing {Listing} request {Version} is older than the applied {Applied}; dropped", request.ListingId, request.Version, applied.AppliedVersion);
                return;
            }

            if (request.Adopted is { } adopted)
            {
                // Recorded before the item is written: from now on its orders are the platform's, and writing it is allowed.
                await RecordAdoptionAsync(adopted, context.CancellationToken);
            }

            var genres = await Genres.GenreEndpoints.BookAsync(db, connection.Id, context.CancellationToken);
            var credentials = secrets.Unprotect<RmsCredentials>(connection.ProtectedCredentials);
            // The images go to R-Cabinet first, so the item references files that are there.
            var images = await cabinet.EnsureAsync(db, connection, credentials, request, context.CancellationToken);
            var outcome = await publisher.ApplyAsync(connection, credentials, request, genres, images, context.CancellationToken);
            await db.ExecuteOnceAsync(context, nameof(ListingRequestedConsumer), async ct =>
            {
                var row = await db.PublishedItems.FirstOrDefaultAsync(p => p.ListingId == request.ListingId, ct);
                if (row is null)
                {
                    row = new PublishedItem { ListingId = request.ListingId, ConnectionId = connection.Id, ManageNumber = ItemPublisher.ManageNumberOf(request) };
                    db.PublishedItems.Add(row);
                }

                row.ManageNumber = ItemPublisher.ManageNumberOf(request);

                await RecordSkusAsync(row.ManageNumber, outcome, ct);
                row.AppliedVersion = request.Version;
                row.Action = request.Action.ToString();
                row.Outcome = outcome.GetType().Name;
                db.AddToOutbox(outcome);
                if (outcome is ListingPublished published)
                {
                    db.AfterCommit(() => PlatformDiagnostics.RecordSyncLag(nameof(Contracts.Channel.RakutenJp), "listing", request.ConnectionId, request.OccurredAt, published.OccurredAt));
                }
            }, logger);
            logger.LogInformation("RMS item {ManageNumber}: {Action} v{Version} → {Outcome}", ItemPublisher.ManageNumberOf(request),
                request.Action, request.Version, outcome.GetType().Name);
        }
        finally
        {
            serial.Release();
        }

        // Where each SKU lives in RMS, so stock can be pushed to it (only once it is published).
        async Task RecordSkusAsync(string manageNumber, object outcome, CancellationToken ct)
        {
            var inPlace = request.Adopted is { Mode: AdoptionMode.InPlace } adoptedInPlace ? adoptedInPlace : null;
            var skus = outcome is ListingPublished
                ? request.Product.Variants.Where(v => v.Sku is not null && (inPlace is null || inPlace.VariantIdOf(v.Sku) is not null)).DistinctBy(v => v.Sku).ToList()
                : [];
            var names = skus.Select(v => v.Sku!).ToList();
            var rows = await db.RmsSkus.Where(s => s.ConnectionId == request.ConnectionId && (s.ManageNumber == manageNumber || names.Contains(s.Sku))).ToListAsync(ct);
            db.RmsSkus.RemoveRange(rows.Where(r => r.ManageNumber == manageNumber && !names.Contains(r.Sku)));
            foreach (var variant in skus)
            {
                // A SKU that moved here from another product follows it.
                var row = rows.FirstOrDefault(r => r.Sku == variant.Sku);
                if (row is null)
                {
                    row = new RmsSku { ConnectionId = request.ConnectionId, Sku = variant.Sku!, ManageNumber = manageNumber, VariantId = "" };
                    db.RmsSkus.Add(row);
                }

                row.ManageNumber = manageNumber;
                row.VariantId = inPlace?.VariantIdOf(variant.Sku!) ?? RmsItemMapping.VariantIdFor(variant.VariantId);
            }

            if (skus.Count == 0)
            {
                return;
            }

            // Stock waiting for this item is pushed now that it exists.
            await db.StockPushes.Where(p => p.ConnectionId == request.ConnectionId && names.Contains(p.Sku))
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.PushedVersion, 0L), ct);
        }

        async Task RecordAdoptionAsync(AdoptedItem adopted, CancellationToken ct)
        {
            var manageNumber = adopted.ItemId.ToLowerInvariant();
            var row = await db.AdoptedItems.FirstOrDefaultAsync(a => a.ConnectionId == request.ConnectionId && a.ManageNumber == manageNumber, ct);
            if (row is null)
            {
                db.AdoptedItems.Add(new Onboarding.AdoptedRmsItem { ConnectionId = request.ConnectionId, ManageNumber = manageNumber, Mode = adopted.Mode.ToString(), AdoptedAt = request.OccurredAt });
            }
            else
            {
                row.Mode = adopted.Mode.ToString();
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>The last listing request applied to an RMS item, so older ones are recognised.</summary>
public sealed class PublishedItem
{
    public required Guid ListingId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required string ManageNumber { get; set; }

    public long AppliedVersion { get; set; }

    public string Action { get; set; } = "";

    public string Outcome { get; set; } = "";
}
