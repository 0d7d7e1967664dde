using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.PublishingItems;
using Rakuten.Platform.Channels.RakutenJp.PushingStock;

namespace Rakuten.Platform.Channels.RakutenJp;

/// <summary>The Rakuten JP adapter's database: its connections, order poller positions, imported orders, published items, SKU locations and stock pushes,
/// event store, outbox and inbox.</summary>
public sealed class RakutenJpDbContext(DbContextOptions<RakutenJpDbContext> options) : ChannelDbContext(options)
{
    public DbSet<OrderPollCursor> OrderPollCursors => Set<OrderPollCursor>();

    public DbSet<ImportedOrder> ImportedOrders => Set<ImportedOrder>();

    public DbSet<OrderConfirmation> OrderConfirmations => Set<OrderConfirmation>();

    public DbSet<ConfirmingOrders.OrderSettingsRow> OrderSettings => Set<ConfirmingOrders.OrderSettingsRow>();

    public DbSet<OrderFingerprint> OrderFingerprints => Set<OrderFingerprint>();

    public DbSet<OrderCatchUp> OrderCatchUps => Set<OrderCatchUp>();

    public DbSet<OrderSyncItem> OrderSyncItems => Set<OrderSyncItem>();

    public DbSet<PublishedItem> PublishedItems => Set<PublishedItem>();

    public DbSet<RmsSku> RmsSkus => Set<RmsSku>();

    public DbSet<StockPush> StockPushes => Set<StockPush>();

    public DbSet<Onboarding.AdoptedRmsItem> AdoptedItems => Set<Onboarding.AdoptedRmsItem>();

    public DbSet<Genres.GenreMappingRow> GenreMappings => Set<Genres.GenreMappingRow>();

    public DbSet<UploadingImages.CabinetFileRow> CabinetFiles => Set<UploadingImages.CabinetFileRow>();

    public DbSet<UploadingImages.CabinetFolderRow> CabinetFolders => Set<UploadingImages.CabinetFolderRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<OrderPollCursor>(e =>
        {
            e.ToTable("order_poll_cursors");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<ImportedOrder>(e =>
        {
            e.ToTable("imported_orders");
            e.HasKey(x => new { x.ConnectionId, x.OrderNumber });
        });
        modelBuilder.Entity<OrderConfirmation>(e =>
        {
            e.ToTable("order_confirmations");
            e.HasKey(x => new { x.ConnectionId, x.OrderNumber });
        });
        modelBuilder.Entity<ConfirmingOrders.OrderSettingsRow>(e =>
        {
            e.ToTable("order_settings");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<OrderFingerprint>(e =>
        {
            e.ToTable("order_fingerprints");
            e.HasKey(x => new { x.ConnectionId, x.OrderNumber });
        });
        modelBuilder.Entity<OrderCatchUp>(e =>
        {
            e.ToTable("order_catch_ups");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<OrderSyncItem>(e =>
        {
            e.ToTable("order_sync_items");
            e.HasKey(x => new { x.JobId, x.OrderNumber });
        });
        modelBuilder.Entity<PublishedItem>(e =>
        {
            e.ToTable("published_items");
            e.HasKey(x => x.ListingId);
        });
        modelBuilder.Entity<RmsSku>(e =>
        {
            e.ToTable("rms_skus");
            e.HasKey(x => new { x.ConnectionId, x.Sku });
        });
        modelBuilder.Entity<Onboarding.AdoptedRmsItem>(e =>
        {
            e.ToTable("adopted_items");
            e.HasKey(x => new { x.ConnectionId, x.ManageNumber });
        });
        modelBuilder.Entity<UploadingImages.CabinetFileRow>(e =>
        {
            e.ToTable("cabinet_files");
            e.HasKey(x => new { x.ConnectionId, x.SourceUrl });
        });
        modelBuilder.Entity<UploadingImages.CabinetFolderRow>(e =>
        {
            e.ToTable("cabinet_folders");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<StockPush>(e =>
        {
            e.ToTable("stock_pushes");
            e.HasKey(x => new { x.ConnectionId, x.Sku });
        });
        modelBuilder.Entity<Genres.GenreMappingRow>(e =>
        {
            e.ToTable("genre_mappings");
            e.HasKey(x => x.ConnectionId);
        });
    }
}
