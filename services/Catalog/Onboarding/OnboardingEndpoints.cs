using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.Onboarding;

/// <summary>The onboarding of a shop that already sells: its report (what matched, what did not, what conflicts, and why),
/// the merchant's choice per existing item (adopt, move, leave alone), the order button of items not yet adopted, and
/// the key the matching uses.</summary>
public static class OnboardingEndpoints
{
    /// <summary>At most this many items in one decision: a bigger shop is decided in pages, or with <c>allMatched</c>.</summary>
    public const int MaxItems = 1000;

    public static void MapOnboarding(this RouteGroupBuilder catalog)
    {
        var onboarding = catalog.MapGroup("/onboarding/{connectionId:guid}").WithTags("Onboarding");
        onboarding.MapMatchFiles();
        onboarding.MapCreateInShopify();
        onboarding.MapCreateOnChannel();

        onboarding.MapGet("", async (Guid connectionId, string? kind, int? limit, int? offset, Caller caller, CatalogDbContext db, CancellationToken ct) =>
        {
            var filter = kind is null ? (MatchKind?)null
                : Enum.TryParse<MatchKind>(kind, true, out var k) && Enum.IsDefined(k) && !int.TryParse(kind, out _) ? k
                : throw PlatformProblem.Field("kind", $"must be one of {string.Join(", ", Enum.GetNames<MatchKind>())}");
            if (limit is < 1 or > 1000) throw PlatformProblem.Field("limit", "must be between 1 and 1000");
            if (offset is < 0) throw PlatformProblem.Field("offset", "must be 0 or more");
            var connection = await ConnectionAsync(db, caller, connectionId, ct);
            var inventory = await db.ChannelInventories.AsNoTracking().FirstOrDefaultAsync(i => i.ConnectionId == connectionId, ct);
            var entries = inventory?.FirstCompletedAt is null ? [] : await OnboardingMatches.ReportAsync(db, connection, ct);
            var decisions = await db.ItemDecisions.AsNoTracking().Where(d => d.ConnectionId == connectionId).ToDictionaryAsync(d => d.ItemId, ct);
            var counts = new OnboardingCounts(
                entries.Count(e => e.Kind == MatchKind.Matched), entries.Count(e => e.Kind == MatchKind.UnmatchedOnChannel),
                entries.Count(e => e.Kind == MatchKind.UnmatchedInShopify), entries.Count(e => e.Kind == MatchKind.Conflict),
                Decided(ItemDecisions.Adopt), Decided(ItemDecisions.Move), Decided(ItemDecisions.LeaveAlone),
                entries.Count(e => e.Kind == MatchKind.Matched && decisions.GetValueOrDefault(e.ItemId!)?.Decision is null));
            var page = entries.Where(e => filter is null || e.Kind == filter).OrderBy(e => e.Kind).ThenBy(e => e.ItemId).ThenBy(e => e.ProductTitle)
                .Skip(offset ?? 0).Take(limit ?? 200)
                .Select(e =>
                {
                    var d = e.ItemId is null ? null : decisions.GetValueOrDefault(e.ItemId);
                    return new OnboardingEntryView(e.Kind.ToString(), e.ItemId, e.ItemTitle, e.ProductIds, e.ProductTitle, e.Reason,
                        d?.Decision, d?.OrderButtonHidden, d?.OrderButtonError, d?.ShopifyCreation);
                }).ToList();
            return Results.Ok(new OnboardingReport(connectionId, connection.Channel, connection.MatchKey, Inventory(inventory), counts,
                entries.Count(e => filter is null || e.Kind == filter), page, connection.MatchMetafield));

            int Decided(string decision) => entries.Count(e => e.ItemId is not null && decisions.GetValueOrDefault(e.ItemId)?.Decision == decision);
        }).Produces<OnboardingReport>();

        onboarding.MapPost("/decisions", async (Guid connectionId, DecideItems? request, Caller caller, CatalogDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            // Whose connection it is comes first: another tenant learns nothing from a validation error.
            var connection = await ConnectionAsync(db, caller, connectionId, ct);
            if (request is null) throw PlatformProblem.Field("body", "give decision and itemIds (or allMatched)");
            var decision = request.Decision?.ToLowerInvariant() switch
            {
                "adopt" => ItemDecisions.Adopt,
                "move" => ItemDecisions.Move,
                "leave-alone" => ItemDecisions.LeaveAlone,
                "undecided" => (string?)null,
                _ => throw PlatformProblem.Field("decision", "must be one of adopt, move, leave-alone, undecided"),
            };
            var entries = await ReadyReportAsync(db, connection, ct);
            var chosen = Choose(entries, request.ItemIds, request.AllMatched, "allMatched", e => e.Kind == MatchKind.Matched);
            if (decision is ItemDecisions.Adopt or ItemDecisions.Move && chosen.FirstOrDefault(e => e.Kind != MatchKind.Matched) is { } doubtful)
            {
                throw new PlatformProblem(StatusCodes.Status409Conflict, "Refused",
                    $"Item {doubtful.ItemId} is {doubtful.Kind}, not matched: only a matched item can be adopted or moved. {doubtful.Reason}");
            }

            if (decision == ItemDecisions.Move && !OnboardingMatches.PublishingWaitsForInventory(connection.Channel))
            {
                throw PlatformProblem.Field("decision", "move is for RMS items (a Rakuten France offer is the seller's by SKU: adopt it or leave it alone)");
            }

            var now = clock.GetUtcNow();
            // The choice and the listing requests it makes commit together.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            var products = await ApplyDecisionsAsync(db, caller, connectionId, chosen.Select(e => (e, decision)).ToList(), now, ct);
            db.Audit(caller, "onboarding.decide", $"connection/{connectionId}", now, detail: $"{decision ?? "undecided"}: {chosen.Count} item(s)");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(new DecisionsTaken(decision ?? "undecided", chosen.Count, products));
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<DecisionsTaken>();

        onboarding.MapPost("/order-button", async (Guid connectionId, OrderButtonRequest? request, Caller caller, CatalogDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await ConnectionAsync(db, caller, connectionId, ct);
            if (!OnboardingMatches.PublishingWaitsForInventory(connection.Channel))
            {
                throw PlatformProblem.Field("connectionId", "Rakuten France offers have no order button to hide: set the offer's stock to 0 on Rakuten France instead");
            }

            if (request?.Hide is not { } hide) throw PlatformProblem.Field("hide", "is required (true hides the order button, false shows it again)");
            var entries = await ReadyReportAsync(db, connection, ct);
            var decisions = await db.ItemDecisions.AsNoTracking().Where(d => d.ConnectionId == connectionId).ToDictionaryAsync(d => d.ItemId, d => d.Decision, ct);
            var chosen = Choose(entries, request!.ItemIds, request.AllUndecided, "allUndecided", e => decisions.GetValueOrDefault(e.ItemId!) is null);
            if (chosen.FirstOrDefault(e => decisions.GetValueOrDefault(e.ItemId!) is ItemDecisions.Adopt) is { } adopted)
            {
                throw new PlatformProblem(StatusCodes.Status409Conflict, "Refused", $"Item {adopted.ItemId} is adopted: the platform drives it; hide its listing in the catalog instead.");
            }

            var now = clock.GetUtcNow();
            var ids = chosen.Select(e => e.ItemId!).ToList();
            await DecideAsync(db, caller, connectionId, ids, d => d.OrderButtonRequested = hide, now, ct);
            foreach (var batch in ids.Chunk(100))
            {
                db.AddToOutbox(new OrderButtonRequested(caller.Tenant, connectionId, batch, hide, now));
            }

            db.Audit(caller, hide ? "onboarding.hide-order-button" : "onboarding.show-order-button", $"connection/{connectionId}", now, detail: $"{ids.Count} item(s)");
            await db.SaveChangesAsync(ct);
            return Results.Accepted($"/catalog/onboarding/{connectionId}", new OrderButtonQueued(hide, ids.Count));
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<OrderButtonQueued>(StatusCodes.Status202Accepted);

        onboarding.MapPut("/match-key", async (Guid connectionId, MatchKeyRequest? request, Caller caller, CatalogDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await ConnectionAsync(db, caller, connectionId, ct, tracked: true);
            if (!Enum.TryParse<MatchKey>(request?.MatchKey, true, out var key) || !Enum.IsDefined(key) || int.TryParse(request!.MatchKey, out _))
                throw PlatformProblem.Field("matchKey", "must be sku, barcode or metafield");
            if (OnboardingMatch.MetafieldProblem(key, request.Metafield) is { } problem)
                throw PlatformProblem.Field("metafield", problem);
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            connection.MatchKey = key.ToString();
            connection.MatchMetafield = key == MatchKey.Metafield ? request.Metafield : null;
            await db.SaveChangesAsync(ct);
            var changed = await OnboardingMatches.RecomputeAsync(db, connection, ct);
            await db.SaveChangesAsync(ct);
            await ListingSync.RefreshAsync(db, caller.Tenant, changed, now, ct, connectionId);
            db.Audit(caller, "onboarding.match-key", $"connection/{connectionId}", now, detail: key == MatchKey.Metafield ? $"Metafield {request.Metafield}" : key.ToString());
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(new MatchKeySet(key.ToString(), changed.Count, connection.MatchMetafield));
        }).RequireAuthorization(PlatformPolicies.Admin).Produces<MatchKeySet>();
    }

    /// <summary>Records each item's decision, tells the channel adapter (ExistingItemDecided) and brings the listings of the products
    /// they carry up to date, in the caller's transaction (which holds the catalog lock); answers how many products.</summary>
    public static async Task<int> ApplyDecisionsAsync(CatalogDbContext db, Caller caller, Guid connectionId, IReadOnlyList<(OnboardingEntry Entry, string? Decision)> chosen,
        DateTimeOffset now, CancellationToken ct)
    {
        foreach (var group in chosen.GroupBy(c => c.Decision))
        {
            await DecideAsync(db, caller, connectionId, group.Select(c => c.Entry.ItemId!).ToList(), d => d.Decision = group.Key, now, ct);
        }

        await db.SaveChangesAsync(ct);
        var decided = chosen.ToDictionary(c => c.Entry.ItemId!, c => c.Decision, StringComparer.OrdinalIgnoreCase);
        var items = (await db.ChannelItems.AsNoTracking().Where(i => i.ConnectionId == connectionId).ToListAsync(ct))
            .Where(i => decided.ContainsKey(i.ItemId)).Select(OnboardingMatches.ToItem);
        foreach (var item in items)
        {
            db.AddToOutbox(new ExistingItemDecided(caller.Tenant, connectionId, item.ItemId, item.Skus.Select(s => s.Sku).OfType<string>().ToList(), decided[item.ItemId], now));
        }

        var products = chosen.SelectMany(c => c.Entry.ProductIds).Distinct().ToList();
        await ListingSync.RefreshAsync(db, caller.Tenant, products, now, ct, connectionId);
        return products.Count;
    }

    /// <summary>The caller's active connection, or 404 (another tenant's looks absent).</summary>
    internal static async Task<ListingConnection> ConnectionAsync(CatalogDbContext db, Caller caller, Guid connectionId, CancellationToken ct, bool tracked = false)
    {
        var query = tracked ? db.ListingConnections : db.ListingConnections.AsNoTracking();
        return await query.FirstOrDefaultAsync(c => c.ConnectionId == connectionId && c.TenantId == caller.Tenant && !c.Removed, ct)
               ?? throw PlatformProblem.NotFound("active Rakuten connection with this id");
    }

    internal static async Task<IReadOnlyList<OnboardingEntry>> ReadyReportAsync(CatalogDbContext db, ListingConnection connection, CancellationToken ct)
    {
        if (!await db.ChannelInventories.AnyAsync(i => i.ConnectionId == connection.ConnectionId && i.FirstCompletedAt != null, ct))
        {
            throw new PlatformProblem(StatusCodes.Status409Conflict, "Not ready",
                "The inventory of the shop's existing items has not finished yet: nothing can be decided before the report exists. Read its progress in the channel's jobs and try again.");
        }

        return await OnboardingMatches.ReportAsync(db, connection, ct);
    }

    /// <summary>The existing items a request names (each must be in the report), or every one <paramref name="all"/> selects.</summary>
    internal static List<OnboardingEntry> Choose(IReadOnlyList<OnboardingEntry> entries, IReadOnlyList<string>? itemIds, bool? all, string allName, Func<OnboardingEntry, bool> selects)
    {
        var items = entries.Where(e => e.ItemId is not null).GroupBy(e => e.ItemId!).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        if (all == true)
        {
            if (itemIds is { Count: > 0 }) throw PlatformProblem.Field("itemIds", $"give either itemIds or {allName}, not both");
            return items.Values.Where(selects).ToList();
        }

        if (itemIds is not { Count: > 0 }) throw PlatformProblem.Field("itemIds", $"name at least one existing item (or set {allName})");
        if (itemIds.Count > MaxItems) throw PlatformProblem.Field("itemIds", $"at most {MaxItems} items a request");
        var unknown = itemIds.Where(i => !items.ContainsKey(i ?? "")).Take(5).ToList();
        if (unknown.Count > 0)
        {
            throw PlatformProblem.Field("itemIds", $"not in this connection's onboarding report: {string.Join(", ", unknown)}");
        }

        return itemIds.Distinct(StringComparer.OrdinalIgnoreCase).Select(i => items[i]).ToList();
    }

    internal static async Task DecideAsync(CatalogDbContext db, Caller caller, Guid connectionId, IReadOnlyList<string> itemIds, Action<ItemDecision> change,
        DateTimeOffset now, CancellationToken ct)
    {
        var rows = await db.ItemDecisions.Where(d => d.ConnectionId == connectionId && itemIds.Contains(d.ItemId)).ToDictionaryAsync(d => d.ItemId, ct);
        foreach (var itemId in itemIds)
        {
            if (!rows.TryGetValue(itemId, out var row))
            {
                row = new ItemDecision { ConnectionId = connectionId, ItemId = itemId, TenantId = caller.Tenant, DecidedAt = now, DecidedBy = caller.Actor };
                db.ItemDecisions.Add(row);
            }

            change(row);
            row.DecidedAt = now;
            row.DecidedBy = caller.Actor;
        }
    }

    private static InventoryView Inventory(ChannelInventory? inventory) => inventory is null
        ? new InventoryView("NotStarted", 0, 0, null, null, null)
        : new InventoryView(inventory.CompletedAt is null ? "Running" : "Complete", inventory.PagesReceived, inventory.Items, inventory.TotalFound,
            inventory.StartedAt, inventory.CompletedAt);
}

/// <summary>The onboarding report of a connection: how its inventory stands, the counts, and one page of entries.</summary>
/// <remarks><c>MatchMetafield</c>: the Shopify variant metafield matched on, when <c>MatchKey</c> is Metafield.</remarks>
public sealed record OnboardingReport(Guid ConnectionId, string Channel, string MatchKey, InventoryView Inventory, OnboardingCounts Counts, int Entries,
    IReadOnlyList<OnboardingEntryView> Page, string? MatchMetafield = null);

/// <summary>The inventory: NotStarted, Running (pages arriving) or Complete; items are the merchant's own (the platform's
/// items left out), of <c>TotalFound</c> the marketplace counted.</summary>
public sealed record InventoryView(string State, int Pages, int Items, int? TotalFound, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt);

public sealed record OnboardingCounts(int Matched, int UnmatchedOnChannel, int UnmatchedInShopify, int Conflicts, int Adopted, int Moved, int LeftAlone, int Undecided);

/// <summary>One line of the report, with the merchant's choice for its item and its order button.</summary>
public sealed record OnboardingEntryView(string Kind, string? ItemId, string? ItemTitle, IReadOnlyList<Guid> ProductIds, string? ProductTitle, string Reason,
    string? Decision, bool? OrderButtonHidden, string? OrderButtonError, string? ShopifyCreation);

/// <summary>adopt, move, leave-alone or undecided — for the items named, or every matched one (<c>allMatched</c>).</summary>
public sealed record DecideItems(string? Decision, IReadOnlyList<string>? ItemIds, bool? AllMatched);

public sealed record DecisionsTaken(string Decision, int Items, int Products);

/// <summary>Hide (or show again) the order button of the items named, or of every item without a decision (<c>allUndecided</c>).</summary>
public sealed record OrderButtonRequest(bool? Hide, IReadOnlyList<string>? ItemIds, bool? AllUndecided);

public sealed record OrderButtonQueued(bool Hide, int Items);

/// <summary><c>Metafield</c> (with matchKey <c>metafield</c>): the Shopify variant metafield holding the marketplace's SKU,
/// as <c>rakuten.{key}</c> — the platform reads the variant metafields of namespace <c>rakuten</c>.</summary>
public sealed record MatchKeyRequest(string? MatchKey, string? Metafield = null);

public sealed record MatchKeySet(string MatchKey, int ProductsDecidedAgain, string? Metafield = null);
