using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Catalog.SyncingProducts;

namespace Rakuten.Platform.Catalog;

/// <summary>The catalog's database: products, the SKU registry, listings per connection, event store, outbox and inbox.</summary>
public sealed class CatalogDbContext(DbContextOptions<CatalogDbContext> options) : PlatformDbContext(options)
{
    public DbSet<CatalogProduct> Products => Set<CatalogProduct>();

    public DbSet<SkuClaimRow> SkuClaims => Set<SkuClaimRow>();

    public DbSet<Listing> Listings => Set<Listing>();

    public DbSet<ListingConnection> ListingConnections => Set<ListingConnection>();

    public DbSet<Onboarding.ChannelInventory> ChannelInventories => Set<Onboarding.ChannelInventory>();

    public DbSet<Onboarding.ChannelItemRow> ChannelItems => Set<Onboarding.ChannelItemRow>();

    public DbSet<Onboarding.ChannelItemKey> ChannelItemKeys => Set<Onboarding.ChannelItemKey>();

    public DbSet<Onboarding.ItemDecision> ItemDecisions => Set<Onboarding.ItemDecision>();

    public DbSet<Onboarding.ProductMatch> ProductMatches => Set<Onboarding.ProductMatch>();

    public DbSet<Pricing.PriceRuleRow> PriceRules => Set<Pricing.PriceRuleRow>();

    public DbSet<Pricing.FixedPriceRow> FixedPrices => Set<Pricing.FixedPriceRow>();

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
        modelBuilder.Entity<Listing>(e =>
        {
            e.ToTable("listings");
            e.HasKey(x => x.ListingId);
            e.Property(x => x.Intent).HasConversion<string>();
            e.Property(x => x.State).HasConversion<string>();
        });
        modelBuilder.Entity<ListingConnection>(e =>
        {
            e.ToTable("listing_connections");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<Onboarding.ChannelInventory>(e =>
        {
            e.ToTable("channel_inventories");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<Onboarding.ChannelItemRow>(e =>
        {
            e.ToTable("channel_items");
            e.HasKey(x => new { x.ConnectionId, x.ItemId });
        });
        modelBuilder.Entity<Onboarding.ChannelItemKey>(e =>
        {
            e.ToTable("channel_item_keys");
            e.HasKey(x => new { x.ConnectionId, x.KeyKind, x.KeyValue, x.ItemId });
        });
        modelBuilder.Entity<Onboarding.ItemDecision>(e =>
        {
            e.ToTable("item_decisions");
            e.HasKey(x => new { x.ConnectionId, x.ItemId });
        });
        modelBuilder.Entity<Onboarding.ProductMatch>(e =>
        {
            e.ToTable("product_matches");
            e.HasKey(x => new { x.ConnectionId, x.ProductId });
        });
        modelBuilder.Entity<Pricing.PriceRuleRow>(e =>
        {
            e.ToTable("price_rules");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<Pricing.FixedPriceRow>(e =>
        {
            e.ToTable("fixed_prices");
            e.HasKey(x => new { x.ConnectionId, x.Sku });
        });
    }
}
