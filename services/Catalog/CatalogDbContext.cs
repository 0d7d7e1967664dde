using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Catalog.SyncingProducts;

namespace Rakuten.Platform.Catalog;

/// <summary>The catalog's database: products, the SKU registry, event store, outbox and inbox.</summary>
public sealed class CatalogDbContext(DbContextOptions<CatalogDbContext> options) : PlatformDbContext(options)
{
    public DbSet<CatalogProduct> Products => Set<CatalogProduct>();

    public DbSet<SkuClaimRow> SkuClaims => Set<SkuClaimRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<CatalogProduct>(e =>
        {
            e.ToTable("catalog_products");
            e.HasKey(x => x.ProductId);
        });
        modelBuilder.Entity<SkuClaimRow>(e =>
        {
            e.ToTable("sku_claims");
            e.HasKey(x => new { x.TenantId, x.VariantId });
        });
    }
}
