using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary>Hands a Shopify product to the catalog as ProductSynced — unless what is known is newer.</summary>
public static class ProductSync
{
    /// <summary>Pure: a delivery older than the newest known state of the product changes nothing (Shopify
    /// retries carry their original payload and arrive in any order).</summary>
    public static bool IsStale(ProductVersion? known, DateTimeOffset incoming) => known is not null && incoming <= known.UpdatedAt;

    /// <summary>Stages ProductSynced and the new version in the caller's unit of work; false when stale.</summary>
    public static async Task<bool> StageAsync(ShopifyDbContext db, ConnectionRecord connection, ShopifyProduct? product, string externalId,
        DateTimeOffset version, string currency, DateTimeOffset now, CancellationToken ct)
    {
        var known = db.ProductVersions.Local.FirstOrDefault(v => v.ConnectionId == connection.Id && v.ExternalProductId == externalId)
                    ?? await db.ProductVersions.FirstOrDefaultAsync(v => v.ConnectionId == connection.Id && v.ExternalProductId == externalId, ct);
        if (IsStale(known, version))
        {
            return false;
        }

        var productId = await InternalIdAsync(db, connection.Id, "product", externalId, ct);
        var variants = new List<ProductVariant>();
        foreach (var v in product?.Variants ?? [])
        {
            if (v is { InventoryItemId: { } item, Sku: { } sku })
            {
                await SyncingStock.StockSync.MapItemAsync(db, connection.Id, item, sku, ct);
            }

            variants.Add(new ProductVariant(await InternalIdAsync(db, connection.Id, "variant", v.ExternalId, ct), v.ExternalId, v.Sku, v.Title,
                v.OptionValues, new Money(v.Price, currency), v.CompareAtPrice is { } c ? new Money(c, currency) : null, v.Barcode, v.Grams, null,
                v.Metafields?.Select(m => new VariantMetafield(m.Key, m.Value)).ToList()));
        }

        var snapshot = new ProductSnapshot(productId, product?.Title ?? "", product?.Vendor, product?.DescriptionHtml,
            (product?.Options ?? []).Select(o => new ProductOption(o.Name, o.Values)).ToList(), variants, product?.Images ?? [], product?.ProductType, product?.Tags, product?.Collections);
        db.AddToOutbox(new ProductSynced(connection.TenantId, connection.Id, externalId, snapshot, product is null, version.UtcTicks, now));
        if (known is null)
        {
            db.ProductVersions.Add(new ProductVersion { ConnectionId = connection.Id, ExternalProductId = externalId, UpdatedAt = version, Deleted = product is null });
        }
        else
        {
            known.UpdatedAt = version;
            known.Deleted = product is null;
        }

        return true;
    }

    private static async Task<Guid> InternalIdAsync(ShopifyDbContext db, Guid connectionId, string kind, string externalId, CancellationToken ct)
    {
        var mapped = db.ExternalIds.Local.FirstOrDefault(x => x.ConnectionId == connectionId && x.Kind == kind && x.Value == externalId)
                     ?? await db.ExternalIds.FirstOrDefaultAsync(x => x.ConnectionId == connectionId && x.Kind == kind && x.Value == externalId, ct);
        if (mapped is not null)
        {
            return mapped.InternalId;
        }

        var id = Guid.CreateVersion7();
        db.ExternalIds.Add(new ExternalId { ConnectionId = connectionId, Kind = kind, Value = externalId, InternalId = id });
        return id;
    }
}
