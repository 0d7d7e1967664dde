using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

/// <summary>A listing refused because an offer was missing (<c>NO_OFFER</c>): the request is kept, to be carried out once
/// the offer appears in the export. A newer request for the listing replaces it.</summary>
public sealed class AwaitingOffer
{
    public required Guid ListingId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required long Version { get; set; }

    public required string Request { get; set; }

    public required DateTimeOffset FailedAt { get; set; }
}

/// <summary>Every <c>Platform:RakutenFr:AwaitingOfferCheck</c> (2 min), for each connection with listings waiting for an
/// offer: the export is read again (one read per connection per check, whatever the number waiting), and each listing
/// whose offers now all exist is carried out — queued for the next stock file, in one transaction with its removal from
/// the waiting list. The merchant creates the offer on Rakuten France; nothing needs pressing afterwards.</summary>
public sealed class AwaitingOfferRetry(
    IServiceScopeFactory scopes, OfferCatalogCache offers, OfferFilePusher pusher, TimeProvider clock, IConfiguration configuration,
    ProductPages.ProductTypeTemplates templates, ILogger<AwaitingOfferRetry> logger)
    : BackgroundService
{
    private TimeSpan Interval => configuration.GetValue("Platform:RakutenFr:AwaitingOfferCheck", TimeSpan.FromMinutes(2));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RetryAllAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Listings waiting for a Rakuten France offer could not be retried; next try in {Interval}", Interval);
            }
        }
    }

    /// <summary>One round over every connection with listings waiting; answers how many were carried out.</summary>
    public async Task<int> RetryAllAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenFrDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>();
        var waiting = db.AwaitingOffers.Select(a => a.ConnectionId);
        var connections = await db.Connections.AsNoTracking().Where(c => c.RemovedAt == null && waiting.Contains(c.Id)).ToListAsync(ct);
        var done = 0;
        foreach (var connection in connections.Where(c => !c.FlowsPaused))
        {
            await offers.RefreshAsync(db, connection, secrets.Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials), ct);
            foreach (var row in await db.AwaitingOffers.AsNoTracking().Where(a => a.ConnectionId == connection.Id).ToListAsync(ct))
            {
                var request = JsonSerializer.Deserialize<ListingRequested>(row.Request, PlatformJson.Options)!;
                var plan = await ListingRequestedConsumer.PlanAsync(db, connection, request, offers, secrets, configuration, templates, ct);
                if (plan.Refusal?.Code == OfferRules.NoOffer)
                {
                    continue; // still missing: it waits for the next check
                }

                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await ListingRequestedConsumer.ApplyAsync(db, connection, request, plan, clock.GetUtcNow(), ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                db.ChangeTracker.Clear();
                done++;
                logger.LogInformation("Listing {Listing} waited for a Rakuten France offer; the offer exists now and the listing is carried out", row.ListingId);
            }
        }

        if (done > 0)
        {
            pusher.Wake();
        }

        return done;
    }
}
