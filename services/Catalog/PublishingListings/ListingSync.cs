using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Catalog.Onboarding;
using Rakuten.Platform.Catalog.Pricing;
using Rakuten.Platform.Catalog.SyncingProducts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.PublishingListings;

/// <summary>Brings the listings of some products up to date with the products, the SKU registry and the
/// merchant's intent, on every active Rakuten connection of the tenant: the requests go out through the
/// outbox in the caller's transaction.</summary>
public static class ListingSync
{
    public static async Task RefreshAsync(CatalogDbContext db, Guid tenantId, IReadOnlyCollection<Guid> productIds, DateTimeOffset now,
        CancellationToken ct, Guid? onlyConnection = null)
    {
        if (productIds.Count == 0)
        {
            return;
        }

        var connections = await PublishableConnectionsAsync(db, tenantId, onlyConnection, ct);
        if (connections.Count == 0)
        {
            return;
        }

        var products = await db.Products.Where(p => p.TenantId == tenantId && productIds.Contains(p.ProductId)).ToListAsync(ct);
        var verdicts = await VerdictsAsync(db, tenantId, products, connections, ct);
        var listings = (await db.Listings.Where(l => l.TenantId == tenantId && productIds.Contains(l.ProductId)).ToListAsync(ct))
            .ToDictionary(l => (l.ProductId, l.ConnectionId));
        foreach (var product in products)
        {
            foreach (var connection in connections)
            {
                if (!listings.TryGetValue((product.ProductId, connection.ConnectionId), out var listing))
                {
                    if (product.Deleted)
                    {
                        continue;
                    }

                    listing = new Listing
                    {
                        ListingId = Guid.NewGuid(), TenantId = tenantId, ProductId = product.ProductId, ConnectionId = connection.ConnectionId,
                        Channel = connection.Channel, Intent = ListingIntent.Listed, State = ListingState.Pending, UpdatedAt = now,
                    };
                    db.Listings.Add(listing);
                }

                if (product.Deleted)
                {
                    listing.Intent = ListingIntent.Withdrawn;
                }

                var verdict = verdicts[(product.ProductId, connection.ConnectionId)];
                listing.BlockedReason = verdict.Reason;
                Apply(db, listing, ListingRules.Reconcile(listing.Intent, product.Deleted, verdict.Reason, listing.RequestedLive, verdict.Code ?? ListingRules.DuplicateSku),
                    product, now, verdict);
            }
        }
    }

    /// <summary>The tenant's live Rakuten connections the catalog may publish to now: on RMS, only once the inventory of
    /// the shop's existing items has arrived (<see cref="OnboardingMatches.PublishingWaitsForInventory"/>).</summary>
    public static async Task<List<ListingConnection>> PublishableConnectionsAsync(CatalogDbContext db, Guid tenantId, Guid? onlyConnection, CancellationToken ct)
    {
        var connections = await db.ListingConnections
            .Where(c => c.TenantId == tenantId && !c.Removed && (onlyConnection == null || c.ConnectionId == onlyConnection)).ToListAsync(ct);
        var ids = connections.Select(c => c.ConnectionId).ToList();
        var inventoried = (await db.ChannelInventories.AsNoTracking().Where(i => ids.Contains(i.ConnectionId) && i.FirstCompletedAt != null)
            .Select(i => i.ConnectionId).ToListAsync(ct)).ToHashSet();
        return connections.Where(c => !OnboardingMatches.PublishingWaitsForInventory(c.Channel) || inventoried.Contains(c.ConnectionId)).ToList();
    }

    /// <summary>For each product on each connection: why the catalog refuses it (a duplicate SKU, a variant without SKU, an
    /// existing item the merchant has not decided about, an item in conflict, an item left alone, a price rule that cannot
    /// price it) with its code; or the product as the connection's price book prices it, and the merchant's existing item the
    /// listing drives.</summary>
    public static async Task<Dictionary<(Guid Product, Guid Connection), ListingVerdict>> VerdictsAsync(
        CatalogDbContext db, Guid tenantId, IReadOnlyList<CatalogProduct> products, IReadOnlyList<ListingConnection> connections, CancellationToken ct)
    {
        var productIds = products.Select(p => p.ProductId).ToList();
        var blocked = await BlockedReasonsAsync(db, tenantId, productIds, ct);
        var snapshots = products.Where(p => !p.Deleted).Select(p => JsonSerializer.Deserialize<ProductSnapshot>(p.Snapshot, PlatformJson.Options)!).ToList();
        foreach (var connection in connections)
        {
            await OnboardingMatches.RefreshForProductsAsync(db, connection, snapshots, ct);
        }

        var connectionIds = connections.Select(c => c.ConnectionId).ToList();
        var matches = await db.ProductMatches.AsNoTracking().Where(m => connectionIds.Contains(m.ConnectionId) && productIds.Contains(m.ProductId))
            .ToDictionaryAsync(m => (m.ProductId, m.ConnectionId), ct);
        var items = matches.Values.Select(m => m.ItemId).Distinct().ToList();
        var decisions = await db.ItemDecisions.AsNoTracking().Where(d => connectionIds.Contains(d.ConnectionId) && items.Contains(d.ItemId))
            .ToDictionaryAsync(d => (d.ConnectionId, d.ItemId), d => d.Decision, ct);
        var books = await PriceBooks.ForAsync(db, connectionIds, snapshots.SelectMany(p => p.Variants).Select(v => v.Sku).OfType<string>().Distinct().ToList(), ct);
        var bySnapshot = snapshots.ToDictionary(s => s.ProductId);
        var verdicts = new Dictionary<(Guid, Guid), ListingVerdict>();
        foreach (var product in products)
        {
            foreach (var connection in connections)
            {
                var match = matches.GetValueOrDefault((product.ProductId, connection.ConnectionId));
                var (code, reason, adopted) = blocked.TryGetValue(product.ProductId, out var block) ? (block.Code, block.Reason, null)
                    : OnboardingMatches.Verdict(connection.Channel, match, match is null ? null : decisions.GetValueOrDefault((connection.ConnectionId, match.ItemId)));
                var (priced, sent, refusal) = bySnapshot.TryGetValue(product.ProductId, out var snapshot) ? PriceRules.Apply(snapshot, books[connection.ConnectionId]) : (null, [], null);
                verdicts[(product.ProductId, connection.ConnectionId)] = reason is null && refusal is not null
                    ? new ListingVerdict(PriceRules.Refused, refusal, null, null, [])
                    : new ListingVerdict(code, reason, adopted, priced, sent);
            }
        }

        return verdicts;
    }

    /// <summary>Records the decision on the listing and, when it asks the channel for something, queues the request.</summary>
    public static void Apply(CatalogDbContext db, Listing listing, ListingDecision decision, CatalogProduct product, DateTimeOffset now, ListingVerdict verdict)
    {
        listing.Version++;
        listing.State = decision.State;
        listing.ErrorCode = decision.ErrorCode;
        listing.ErrorMessage = decision.ErrorMessage;
        listing.UpdatedAt = now;
        if (decision.Request is { } action)
        {
            listing.RequestedLive = action != ListingAction.Withdraw;
            // A withdraw of a deleted (or refused) product carries the product as Shopify last had it; anything else the priced one.
            var snapshot = verdict.Priced ?? JsonSerializer.Deserialize<ProductSnapshot>(product.Snapshot, PlatformJson.Options)!;
            if (verdict.Priced is not null && action == ListingAction.Publish)
            {
                listing.PricesSent = JsonSerializer.Serialize(verdict.Sent, PlatformJson.Options);
            }

            db.AddToOutbox(new ListingRequested(listing.TenantId, listing.ConnectionId, listing.ListingId, action, snapshot, listing.Version, now, verdict.Adopted));
        }
    }

    /// <summary>For each of the products the catalog refuses on every channel, the code and the reason: a SKU shared with
    /// another variant (naming every product involved), or a variant without a SKU (naming the variant and the fix).</summary>
    public static async Task<Dictionary<Guid, (string Code, string Reason)>> BlockedReasonsAsync(CatalogDbContext db, Guid tenantId, IReadOnlyCollection<Guid> productIds, CancellationToken ct)
    {
        var skus = db.SkuClaims.Where(c => c.TenantId == tenantId && productIds.Contains(c.ProductId)).Select(c => c.Sku);
        var claims = await db.SkuClaims.AsNoTracking().Where(c => c.TenantId == tenantId && skus.Contains(c.Sku)).ToListAsync(ct);
        var reasons = new Dictionary<Guid, (string Code, string Reason)>();
        foreach (var conflict in SkuRegistry.Conflicts(claims.Select(c => new SyncingProducts.SkuClaim(c.VariantId, c.Sku, c.ProductId, c.ProductTitle))))
        {
            foreach (var claim in conflict.Claims)
            {
                reasons[claim.ProductId] = reasons.TryGetValue(claim.ProductId, out var earlier) ? (ListingRules.DuplicateSku, $"{earlier.Reason} {conflict.Reason}") : (ListingRules.DuplicateSku, conflict.Reason);
            }
        }

        var snapshots = await db.Products.AsNoTracking().Where(p => p.TenantId == tenantId && productIds.Contains(p.ProductId) && !p.Deleted)
            .Select(p => p.Snapshot).ToListAsync(ct);
        foreach (var product in snapshots.Select(s => JsonSerializer.Deserialize<ProductSnapshot>(s, PlatformJson.Options)!))
        {
            if (ListingRules.WithoutSku(product) is { } reason && !reasons.ContainsKey(product.ProductId))
            {
                reasons[product.ProductId] = (ListingRules.NoSku, reason);
            }
        }

        return reasons;
    }
}

/// <summary>What the catalog makes of one product on one connection: the refusal's code and reason, the existing item the
/// listing drives, and the product as the connection's prices make it (null for a deleted product) with the prices per SKU.</summary>
public sealed record ListingVerdict(string? Code, string? Reason, AdoptedItem? Adopted, ProductSnapshot? Priced, IReadOnlyList<PriceSent> Sent);
