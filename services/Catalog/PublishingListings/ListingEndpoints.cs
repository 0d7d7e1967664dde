using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Catalog.Pricing;
using Rakuten.Platform.Catalog.SyncingProducts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.PublishingListings;

/// <summary>The merchant's listing controls (publish, hide, un-hide, withdraw per product and connection) and
/// the ops resyncs (one product, or a whole catalog on one connection).</summary>
public static class ListingEndpoints
{
    /// <summary>The merchant's allowed action on one listing: the listing (made if new) takes the intent, and the request it calls
    /// for is queued, in the caller's transaction.</summary>
    public static async Task<Listing> TakeAsync(CatalogDbContext db, CatalogProduct product, ListingConnection connection, ListingAction requested, ListingIntent intent,
        ListingVerdict verdict, DateTimeOffset now, CancellationToken ct)
    {
        var listing = await db.Listings.FirstOrDefaultAsync(l => l.ProductId == product.ProductId && l.ConnectionId == connection.ConnectionId, ct);
        if (listing is null)
        {
            listing = new Listing
            {
                ListingId = Guid.NewGuid(), TenantId = product.TenantId, ProductId = product.ProductId, ConnectionId = connection.ConnectionId,
                Channel = connection.Channel, State = ListingState.Pending, UpdatedAt = now,
            };
            db.Listings.Add(listing);
        }

        listing.Intent = intent;
        listing.BlockedReason = verdict.Reason;
        // Withdraw always reaches the channel, even for a listing the catalog never saw live: the merchant asked for it.
        var decision = requested == ListingAction.Withdraw
            ? ListingDecision.Ask(ListingAction.Withdraw)
            : ListingRules.Reconcile(listing.Intent, product.Deleted, verdict.Reason, listing.RequestedLive, verdict.Code ?? ListingRules.DuplicateSku);
        ListingSync.Apply(db, listing, decision, product, now, verdict);
        return listing;
    }

    public static void MapListings(this RouteGroupBuilder catalog)
    {
        catalog.MapGet("/listings", async (Caller caller, Guid? productId, Guid? connectionId, string? state, CatalogDbContext db, CancellationToken ct) =>
        {
            var query = db.Listings.AsNoTracking().Where(l => l.TenantId == caller.Tenant);
            if (productId is { } p) query = query.Where(l => l.ProductId == p);
            if (connectionId is { } c) query = query.Where(l => l.ConnectionId == c);
            if (state is not null)
            {
                if (!Enum.TryParse<ListingState>(state, ignoreCase: true, out var s) || !Enum.IsDefined(s))
                    return ApiErrors.Validation([$"state must be one of {string.Join(", ", Enum.GetNames<ListingState>())}"]);
                query = query.Where(l => l.State == s);
            }

            var rows = await query.OrderBy(l => l.ProductId).ThenBy(l => l.ConnectionId).ToListAsync(ct);
            return Results.Ok(rows.Select(l => new ListingView(
                l.ListingId, l.ProductId, l.ConnectionId, l.Channel, l.Intent.ToString(), l.State.ToString(),
                l.ErrorCode is null ? null : new ListingError(l.ErrorCode, l.ErrorMessage),
                l.ChannelListingId, l.Hidden, l.Version, l.UpdatedAt,
                l.PricesSent is null ? null : JsonSerializer.Deserialize<List<PriceSent>>(l.PricesSent, PlatformJson.Options))));
        }).Produces<IEnumerable<ListingView>>();

        catalog.MapPost("/products/{productId:guid}/listings/{connectionId:guid}/{action}", async (
            Guid productId, Guid connectionId, string action, Caller caller, CatalogDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            if (!Enum.TryParse<ListingAction>(action, ignoreCase: true, out var requested) || !Enum.IsDefined(requested) || int.TryParse(action, out _))
                return ApiErrors.Validation(new Dictionary<string, string[]> { ["action"] = ["must be one of publish, hide, unhide, withdraw"] });
            var product = await db.Products.FirstOrDefaultAsync(p => p.ProductId == productId && p.TenantId == caller.Tenant, ct)
                          ?? throw PlatformProblem.NotFound("product with this id");
            var connection = await db.ListingConnections.FirstOrDefaultAsync(c => c.ConnectionId == connectionId && c.TenantId == caller.Tenant && !c.Removed, ct)
                             ?? throw PlatformProblem.NotFound("active Rakuten connection with this id");

            var now = clock.GetUtcNow();
            var target = $"product/{productId}/listing/{connectionId}";
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            if ((await ListingSync.PublishableConnectionsAsync(db, caller.Tenant, connectionId, ct)).Count == 0)
            {
                const string waiting = "The inventory of the shop's existing items is not finished: the catalog publishes nothing there before it (a product the shop " +
                    "already sells would become a second item). Its progress is at GET /channels/rakuten-jp/jobs; try again once it has finished.";
                await db.AuditRefusalAsync(caller, $"listing.{requested.ToString().ToLowerInvariant()}", target, now, waiting, ct);
                await tx.CommitAsync(ct);
                return ApiErrors.Problem(StatusCodes.Status409Conflict, "Refused", waiting, new Dictionary<string, object?> { ["error"] = waiting });
            }

            var verdict = (await ListingSync.VerdictsAsync(db, product.TenantId, [product], [connection], ct))[(productId, connectionId)];
            var blocked = verdict.Reason;
            var (intent, refusal) = ListingRules.OnMerchantAction(requested, product.Deleted, blocked);
            if (intent is null)
            {
                await db.AuditRefusalAsync(caller, $"listing.{requested.ToString().ToLowerInvariant()}", target, now, refusal!, ct);
                await tx.CommitAsync(ct);
                return ApiErrors.Problem(StatusCodes.Status409Conflict, "Refused", refusal, new Dictionary<string, object?> { ["error"] = refusal });
            }

            var listing = await TakeAsync(db, product, connection, requested, intent.Value, verdict, now, ct);
            db.Audit(caller, $"listing.{requested.ToString().ToLowerInvariant()}", target, now);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Accepted($"/catalog/listings?productId={productId}",
                new ListingActionTaken(listing.ListingId, listing.Intent.ToString(), listing.State.ToString(), listing.Version));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<ListingActionTaken>(StatusCodes.Status202Accepted);

        // "Publish again": one product, or a whole catalog on one connection — each listing sent to its channel again.
        var ops = catalog.MapGroup("/ops").WithTags("Catalog ops");
        ops.MapPost("/products/{productId:guid}/resync", async (Guid productId, Caller caller, CatalogDbContext db, TimeProvider clock, CancellationToken ct) =>
                Results.Accepted(value: new ResyncAnswer(await Resyncs.ProductAsync(db, caller, productId, clock.GetUtcNow(), ct))))
            .RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<ResyncAnswer>(StatusCodes.Status202Accepted);

        // A whole catalog is a job: 202 with it, its progress at /catalog/jobs/{id}.
        ops.MapPost("/connections/{connectionId:guid}/resync", async (Guid connectionId, Caller caller, CatalogDbContext db, TimeProvider clock,
                JobSignal<CatalogDbContext> runner, CancellationToken ct) =>
                Jobs.Accepted((await Resyncs.ConnectionAsync(db, caller, connectionId, clock, runner, ct)).Job, CatalogService.Prefix, clock.GetUtcNow()))
            .RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<JobView>(StatusCodes.Status202Accepted);
    }
}

/// <summary>A product's listing on one channel connection: what the merchant asked (intent), where it stands (state),
/// the channel's refusal when there is one, the channel's id for it, and the prices its last publish request carried per SKU.</summary>
public sealed record ListingView(Guid ListingId, Guid ProductId, Guid ConnectionId, string Channel, string Intent, string State, ListingError? Error,
    string? ChannelListingId, bool Hidden, long Version, DateTimeOffset UpdatedAt, IReadOnlyList<PriceSent>? PricesSent);

public sealed record ListingError(string Code, string? Message);

/// <summary>The merchant's action recorded: the listing's new intent, its state now and its version.</summary>
public sealed record ListingActionTaken(Guid ListingId, string Intent, string State, long Version);

/// <summary>How many products are sent to their channel again.</summary>
public sealed record ResyncAnswer(int Resynced);

/// <summary>"Publish again", for the HTTP and the gRPC API: each listing of one product, or of a whole catalog on one
/// connection, sent to its channel again; audited. Answers how many products are sent.</summary>
public static class Resyncs
{
    public static async Task<int> ProductAsync(CatalogDbContext db, Caller caller, Guid productId, DateTimeOffset now, CancellationToken ct)
    {
        var product = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.ProductId == productId && p.TenantId == caller.Tenant, ct)
                      ?? throw PlatformProblem.NotFound("product with this id");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AdvisoryLock.AcquireAsync(db, $"catalog:{product.TenantId}", ct);
        await ListingSync.RefreshAsync(db, product.TenantId, [productId], now, ct);
        db.Audit(caller, "catalog.resync", $"product/{productId}", now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return 1;
    }

    /// <summary>Starts (or finds running) the job sending every product of the tenant to <paramref name="connectionId"/>
    /// again (<see cref="CatalogResyncJob"/>); answers it and how many products it carries.</summary>
    public static async Task<(JobRecord Job, int Products)> ConnectionAsync(CatalogDbContext db, Caller caller, Guid connectionId, TimeProvider clock,
        JobSignal<CatalogDbContext> runner, CancellationToken ct)
    {
        var connection = await db.ListingConnections.AsNoTracking().FirstOrDefaultAsync(c => c.ConnectionId == connectionId && c.TenantId == caller.Tenant && !c.Removed, ct)
                         ?? throw PlatformProblem.NotFound("active Rakuten connection with this id");
        var products = await db.Products.CountAsync(p => p.TenantId == connection.TenantId, ct);
        var job = await Jobs.StartAsync(db, caller, CatalogResyncJob.Kind, $"connection/{connectionId}", clock, runner, ct, total: products);
        return (job, job.Total ?? products);
    }
}
