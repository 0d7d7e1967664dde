using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.Channels.Shopify.SyncingProducts;

namespace Rakuten.Platform.Channels.Shopify;

/// <summary>The Shopify adapter's database: connections, webhook deliveries, id mappings, product versions,
/// event store, outbox and inbox.</summary>
public sealed class ShopifyDbContext(DbContextOptions<ShopifyDbContext> options) : ChannelDbContext(options)
{
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<ExternalId> ExternalIds => Set<ExternalId>();

    public DbSet<ProductVersion> ProductVersions => Set<ProductVersion>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.HasKey(x => x.EventId);
            e.Property(x => x.EventId).HasColumnName("event_id");
            e.Property(x => x.ConnectionId).HasColumnName("connection_id");
            e.Property(x => x.Topic).HasColumnName("topic");
            e.Property(x => x.TriggeredAt).HasColumnName("triggered_at");
            e.Property(x => x.Body).HasColumnName("body");
            e.Property(x => x.ReceivedAt).HasColumnName("received_at");
            e.Property(x => x.ProcessedAt).HasColumnName("processed_at");
            e.Property(x => x.Error).HasColumnName("error");
        });
        modelBuilder.Entity<ExternalId>(e =>
        {
            e.ToTable("external_ids");
            e.HasKey(x => new { x.ConnectionId, x.Kind, x.Value });
            e.Property(x => x.ConnectionId).HasColumnName("connection_id");
            e.Property(x => x.Kind).HasColumnName("kind");
            e.Property(x => x.Value).HasColumnName("external_id");
            e.Property(x => x.InternalId).HasColumnName("internal_id");
        });
        modelBuilder.Entity<ProductVersion>(e =>
        {
            e.ToTable("product_versions");
            e.HasKey(x => new { x.ConnectionId, x.ExternalProductId });
            e.Property(x => x.ConnectionId).HasColumnName("connection_id");
            e.Property(x => x.ExternalProductId).HasColumnName("external_product_id");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.Deleted).HasColumnName("deleted");
        });
    }
}
