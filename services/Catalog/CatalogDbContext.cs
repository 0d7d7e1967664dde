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
            e.Property(x => x.ProductId).HasColumnName("product_id");
            e.Property(x => x.TenantId).HasColumnName("tenant_id");
            e.Property(x => x.ConnectionId).HasColumnName("connection_id");
            e.Property(x => x.ExternalProductId).HasColumnName("external_product_id");
            e.Property(x => x.Title).HasColumnName("title");
            e.Property(x => x.Snapshot).HasColumnName("snapshot");
            e.Property(x => x.SourceVersion).HasColumnName("source_version");
            e.Property(x => x.Deleted).HasColumnName("deleted");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        });
        modelBuilder.Entity<SkuClaimRow>(e =>
        {
            e.ToTable("sku_claims");
            e.HasKey(x => new { x.TenantId, x.VariantId });
            e.Property(x => x.TenantId).HasColumnName("tenant_id");
            e.Property(x => x.VariantId).HasColumnName("variant_id");
            e.Property(x => x.Sku).HasColumnName("sku");
            e.Property(x => x.ProductId).HasColumnName("product_id");
            e.Property(x => x.ProductTitle).HasColumnName("product_title");
        });
    }
}
