using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.SyncingProducts;

/// <summary>Keeps the catalog's copy of a product and its SKU claims; a SKU now claimed by two variants is
/// refused with SkuRejected naming every product involved, and the listings of every product concerned are brought up to date. Older versions than the stored one change nothing.</summary>
public sealed class ProductSyncedConsumer(CatalogDbContext db, TimeProvider clock, ILogger<ProductSyncedConsumer> logger) : IConsumer<ProductSynced>
{
    public Task Consume(ConsumeContext<ProductSynced> context) =>
        db.ExecuteOnceAsync(context, nameof(ProductSyncedConsumer), async ct =>
        {
            var message = context.Message;
            // The SKU registry is a per-tenant invariant: two products claiming one SKU at once must not each miss the other's claim.
            await AdvisoryLock.AcquireAsync(db, $"catalog:{message.TenantId}", ct);
            var product = await db.Products.FirstOrDefaultAsync(p => p.ProductId == message.Product.ProductId, ct);
            if (product is not null && product.SourceVersion >= message.SourceVersion)
            {
                return;
            }

            var now = clock.GetUtcNow();
            if (product is null)
            {
                product = new CatalogProduct
                {
                    ProductId = message.Product.ProductId, TenantId = message.TenantId, ConnectionId = message.ConnectionId,
                    ExternalProductId = message.ExternalProductId, Title = message.Product.Title, Snapshot = "", SourceVersion = 0, UpdatedAt = now,
                };
                db.Products.Add(product);
            }

            product.Title = message.Product.Title;
            // The snapshot known is read only when the new one lacks what an import gives (a webhook's): an import's is whole.
            var lacking = message.Product.Collections is null || message.Product.Variants.Any(v => v.Metafields is null);
            var known = lacking && product.Snapshot.Length > 0 ? JsonSerializer.Deserialize<ProductSnapshot>(product.Snapshot, PlatformJson.Options) : null;
            product.Snapshot = JsonSerializer.Serialize(KeepMetafields(message.Product, known), PlatformJson.Options);
            product.SourceVersion = message.SourceVersion;
            product.Deleted = message.Deleted;
            product.UpdatedAt = now;

            // This product's claims are replaced by what it says now (none once deleted).
            var mine = await db.SkuClaims.Where(c => c.TenantId == message.TenantId && c.ProductId == product.ProductId).ToListAsync(ct);
            db.SkuClaims.RemoveRange(mine);
            var claims = message.Deleted
                ? []
                : message.Product.Variants.Where(v => !string.IsNullOrWhiteSpace(v.Sku))
                    .Select(v => new SkuClaimRow { TenantId = message.TenantId, VariantId = v.VariantId, Sku = v.Sku!, ProductId = product.ProductId, ProductTitle = product.Title })
                    .ToList();
            db.SkuClaims.AddRange(claims);

            var skus = claims.Select(c => c.Sku).Distinct().ToList();
            var touched = skus.Concat(mine.Select(c => c.Sku)).Distinct().ToList();
            var others = await db.SkuClaims.AsNoTracking()
                .Where(c => c.TenantId == message.TenantId && touched.Contains(c.Sku) && c.ProductId != product.ProductId).ToListAsync(ct);
            foreach (var conflict in SkuRegistry.Conflicts(others.Where(c => skus.Contains(c.Sku)).Concat(claims).Select(c => new SkuClaim(c.VariantId, c.Sku, c.ProductId, c.ProductTitle))))
            {
                logger.LogWarning("SKU refused: {Reason}", conflict.Reason);
                db.AddToOutbox(new SkuRejected(message.TenantId, conflict.Sku,
                    conflict.Claims.Select(c => new Contracts.Catalog.SkuClaim(c.ProductId, c.ProductTitle, c.VariantId)).ToList(), conflict.Reason, now));
            }

            // The product's listings follow it; so do those of products whose SKU conflict this change starts or ends.
            await db.SaveChangesAsync(ct);
            await ListingSync.RefreshAsync(db, message.TenantId, [product.ProductId, .. others.Select(c => c.ProductId).Distinct()], now, ct);
        }, logger);

    /// <summary>Pure: a webhook's snapshot carries no metafields and no collections (null); the product keeps the collections
    /// and each variant the metafields the last import read, so a match key or a genre chosen by them is not lost at every edit.</summary>
    public static ProductSnapshot KeepMetafields(ProductSnapshot incoming, ProductSnapshot? known)
    {
        if (known is null)
        {
            return incoming;
        }

        return incoming with
        {
            Collections = incoming.Collections ?? known.Collections,
            Variants = incoming.Variants.Select(v => v.Metafields is not null ? v
                : v with { Metafields = known.Variants.FirstOrDefault(k => k.VariantId == v.VariantId)?.Metafields }).ToList(),
        };
    }
}
