using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
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

        var connections = await db.ListingConnections
            .Where(c => c.TenantId == tenantId && !c.Removed && (onlyConnection == null || c.ConnectionId == onlyConnection)).ToListAsync(ct);
        if (connections.Count == 0)
        {
            return;
        }

        var products = await db.Products.Where(p => p.TenantId == tenantId && productIds.Contains(p.ProductId)).ToListAsync(ct);
        var blocked = await BlockedReasonsAsync(db, tenantId, productIds, ct);
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

                listing.BlockedReason = blocked.GetValueOrDefault(product.ProductId);
                Apply(db, listing, ListingRules.Reconcile(listing.Intent, product.Deleted, listing.BlockedReason, listing.RequestedLive), product, now);
            }
        }
    }

    /// <summary>Records the decision on the listing and, when it asks the channel for something, queues the request.</summary>
    public static void Apply(CatalogDbContext db, Listing listing, ListingDecision decision, CatalogProduct product, DateTimeOffset now)
    {
        listing.Version++;
        listing.State = decision.State;
        listing.ErrorCode = decision.ErrorCode;
        listing.ErrorMessage = decision.ErrorMessage;
        listing.UpdatedAt = now;
        if (decision.Request is { } action)
        {
            listing.RequestedLive = action != ListingAction.Withdraw;
            var snapshot = JsonSerializer.Deserialize<ProductSnapshot>(product.Snapshot, PlatformJson.Options)!;
            db.AddToOutbox(new ListingRequested(listing.TenantId, listing.ConnectionId, listing.ListingId, action, snapshot, listing.Version, now));
        }
    }

    /// <summary>For each of the products that shares a SKU with another variant, the reason naming every product involved.</summary>
    public static async Task<Dictionary<Guid, string>> BlockedReasonsAsync(CatalogDbContext db, Guid tenantId, IReadOnlyCollection<Guid> productIds, CancellationToken ct)
    {
        var skus = db.SkuClaims.Where(c => c.TenantId == tenantId && productIds.Contains(c.ProductId)).Select(c => c.Sku);
        var claims = await db.SkuClaims.AsNoTracking().Where(c => c.TenantId == tenantId && skus.Contains(c.Sku)).ToListAsync(ct);
        var reasons = new Dictionary<Guid, string>();
        foreach (var conflict in SkuRegistry.Conflicts(claims.Select(c => new SyncingProducts.SkuClaim(c.VariantId, c.Sku, c.ProductId, c.ProductTitle))))
        {
            foreach (var claim in conflict.Claims)
            {
                reasons[claim.ProductId] = reasons.TryGetValue(claim.ProductId, out var earlier) ? $"{earlier} {conflict.Reason}" : conflict.Reason;
            }
        }

        return reasons;
    }
}
