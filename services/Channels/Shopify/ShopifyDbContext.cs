using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.CancellingOrders;
using Rakuten.Platform.Channels.Shopify.ExportingOrders;
using Rakuten.Platform.Channels.Shopify.SyncingFulfillments;
using Rakuten.Platform.Channels.Shopify.SyncingProducts;
using Rakuten.Platform.Channels.Shopify.SyncingStock;

namespace Rakuten.Platform.Channels.Shopify;

/// <summary>The Shopify adapter's database: connections, webhook deliveries, id mappings, product versions, stock levels, order exports,
/// event store, outbox and inbox.</summary>
public sealed class ShopifyDbContext(DbContextOptions<ShopifyDbContext> options) : ChannelDbContext(options)
{
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<Connecting.WebhookSubscriptionRow> WebhookSubscriptions => Set<Connecting.WebhookSubscriptionRow>();

    public DbSet<Connecting.ShopCurrencyRow> ShopCurrencies => Set<Connecting.ShopCurrencyRow>();

    public DbSet<ExportingOrders.KitDefinitionRow> KitDefinitions => Set<ExportingOrders.KitDefinitionRow>();

    public DbSet<ExternalId> ExternalIds => Set<ExternalId>();

    public DbSet<ProductVersion> ProductVersions => Set<ProductVersion>();

    public DbSet<StockLevel> StockLevels => Set<StockLevel>();

    public DbSet<InventoryItemSku> InventoryItemSkus => Set<InventoryItemSku>();

    public DbSet<OrderExport> OrderExports => Set<OrderExport>();

    public DbSet<ShopifyCancellation> ShopifyCancellations => Set<ShopifyCancellation>();

    public DbSet<ApplyingStatusActions.ShopifyOrderAction> OrderActions => Set<ApplyingStatusActions.ShopifyOrderAction>();

    public DbSet<EditingOrders.ShopifyOrderEdit> OrderEdits => Set<EditingOrders.ShopifyOrderEdit>();

    public DbSet<FulfillmentRow> Fulfillments => Set<FulfillmentRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ExportingOrders.KitDefinitionRow>(e =>
        {
            e.ToTable("kit_definitions");
            e.HasKey(x => new { x.TenantId, x.KitSku });
        });
        modelBuilder.Entity<Connecting.ShopCurrencyRow>(e =>
        {
            e.ToTable("shop_currencies");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<Connecting.WebhookSubscriptionRow>(e =>
        {
            e.ToTable("webhook_subscriptions");
            e.HasKey(x => new { x.ConnectionId, x.Topic });
        });
        modelBuilder.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.HasKey(x => x.EventId);
        });
        modelBuilder.Entity<ExternalId>(e =>
        {
            e.ToTable("external_ids");
            e.HasKey(x => new { x.ConnectionId, x.Kind, x.Value });
            e.Property(x => x.Value).HasColumnName("external_id");
        });
        modelBuilder.Entity<ProductVersion>(e =>
        {
            e.ToTable("product_versions");
            e.HasKey(x => new { x.ConnectionId, x.ExternalProductId });
        });
        modelBuilder.Entity<StockLevel>(e =>
        {
            e.ToTable("stock_levels");
            e.HasKey(x => new { x.ConnectionId, x.InventoryItemId, x.LocationId });
        });
        modelBuilder.Entity<InventoryItemSku>(e =>
        {
            e.ToTable("inventory_item_skus");
            e.HasKey(x => new { x.ConnectionId, x.InventoryItemId });
        });
        modelBuilder.Entity<FulfillmentRow>(e =>
        {
            e.ToTable("fulfillments");
            e.HasKey(x => new { x.ConnectionId, x.FulfillmentId });
        });
        modelBuilder.Entity<ApplyingStatusActions.ShopifyOrderAction>(e =>
        {
            e.ToTable("shopify_order_actions");
            e.HasKey(x => x.OrderId);
            e.Ignore(x => x.Pending);
        });
        modelBuilder.Entity<EditingOrders.ShopifyOrderEdit>(e =>
        {
            e.ToTable("shopify_order_edits");
            e.HasKey(x => x.OrderId);
        });
        modelBuilder.Entity<ShopifyCancellation>(e =>
        {
            e.ToTable("shopify_cancellations");
            e.HasKey(x => x.OrderId);
        });
        modelBuilder.Entity<OrderExport>(e =>
        {
            e.ToTable("order_exports");
            e.HasKey(x => x.OrderId);
            e.Property(x => x.State).HasConversion<string>();
            e.Ignore(x => x.Tag);
        });
    }
}
