using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.ImportingSales;
using Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

namespace Rakuten.Platform.Channels.RakutenFr;

/// <summary>The Rakuten France adapter's database: its connections, the offers by SKU, the offer changes and
/// stock files, the sales and their items, event store, outbox and inbox.</summary>
public sealed class RakutenFrDbContext(DbContextOptions<RakutenFrDbContext> options) : ChannelDbContext(options)
{
    public DbSet<KnownOffer> KnownOffers => Set<KnownOffer>();

    public DbSet<AwaitingOffer> AwaitingOffers => Set<AwaitingOffer>();

    public DbSet<Onboarding.LeftAloneOffer> LeftAloneOffers => Set<Onboarding.LeftAloneOffer>();

    public DbSet<OfferCatalog> OfferCatalogs => Set<OfferCatalog>();

    public DbSet<OfferChange> OfferChanges => Set<OfferChange>();

    public DbSet<OfferImport> OfferImports => Set<OfferImport>();

    public DbSet<OfferStockVersion> StockVersions => Set<OfferStockVersion>();

    public DbSet<SaleItem> SaleItems => Set<SaleItem>();

    public DbSet<ImportedSale> ImportedSales => Set<ImportedSale>();

    public DbSet<KnownQuantity> Quantities => Set<KnownQuantity>();

    public DbSet<ProductPages.ProductTypeMappingRow> ProductTypeMappings => Set<ProductPages.ProductTypeMappingRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ProductPages.ProductTypeMappingRow>(e =>
        {
            e.ToTable("product_type_mappings");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<Onboarding.LeftAloneOffer>(e =>
        {
            e.ToTable("left_alone_offers");
            e.HasKey(x => new { x.ConnectionId, x.Sku });
        });
        modelBuilder.Entity<AwaitingOffer>(e =>
        {
            e.ToTable("awaiting_offers");
            e.HasKey(x => x.ListingId);
        });
        modelBuilder.Entity<KnownOffer>(e =>
        {
            e.ToTable("known_offers");
            e.HasKey(x => new { x.ConnectionId, x.Sku });
        });
        modelBuilder.Entity<OfferCatalog>(e =>
        {
            e.ToTable("offer_catalogs");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<OfferChange>(e =>
        {
            e.ToTable("offer_changes");
            e.HasKey(x => x.Id);
        });
        modelBuilder.Entity<OfferImport>(e =>
        {
            e.ToTable("offer_imports");
            e.HasKey(x => new { x.ConnectionId, x.ImportId });
        });
        modelBuilder.Entity<SaleItem>(e =>
        {
            e.ToTable("sale_items");
            e.HasKey(x => new { x.ConnectionId, x.ItemId });
        });
        modelBuilder.Entity<ImportedSale>(e =>
        {
            e.ToTable("imported_sales");
            e.HasKey(x => new { x.ConnectionId, x.PurchaseId });
        });
        modelBuilder.Entity<KnownQuantity>(e =>
        {
            e.ToTable("sku_quantities");
            e.HasKey(x => new { x.ConnectionId, x.Sku });
        });
        modelBuilder.Entity<OfferStockVersion>(e =>
        {
            e.ToTable("offer_stock_versions");
            e.HasKey(x => new { x.ConnectionId, x.Sku });
        });
    }
}
