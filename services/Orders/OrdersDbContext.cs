using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Changes;
using Rakuten.Platform.Orders.PublicApi;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Orders;

/// <summary>The orders service's database: the order streams (event store), the order read model, the SKUs the
/// catalog knows, cancellations, shipments, outbox and inbox.</summary>
public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : PlatformDbContext(options)
{
    public DbSet<OrderRecord> Orders => Set<OrderRecord>();

    public DbSet<CatalogSku> CatalogSkus => Set<CatalogSku>();

    public DbSet<OrderCancellation> Cancellations => Set<OrderCancellation>();

    public DbSet<OrderShipment> Shipments => Set<OrderShipment>();

    public DbSet<MappingStatuses.OrderConnection> OrderConnections => Set<MappingStatuses.OrderConnection>();

    public DbSet<MappingStatuses.StatusRuleRow> StatusRules => Set<MappingStatuses.StatusRuleRow>();

    /// <summary>A save that changes no order as the API shows it (a projection rebuilt): nothing goes into the change feed.</summary>
    internal bool QuietSave { get; set; }

    /// <summary>Every order saved as changed goes into the change feed as the API shows it (WatchOrders), in the same save.</summary>
    protected override void BeforeSave()
    {
        if (QuietSave)
        {
            return;
        }

        foreach (var entry in ChangeTracker.Entries<OrderRecord>().ToList())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                var order = OrderMessages.Order(entry.Entity);
                this.RecordChange(entry.Entity.TenantId, OrderMessages.Topic, $"{entry.Entity.Channel}/{entry.Entity.OrderId}", order.ToByteArray(), entry.Entity.UpdatedAt);
            }
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<OrderRecord>(e =>
        {
            e.ToTable("orders");
            e.HasKey(x => x.OrderId);
            e.Property(x => x.Status).HasConversion<string>();
            e.Property(x => x.HoldReason).HasConversion<string>();
            e.Property(x => x.ReleasedHold).HasConversion<string>();
        });
        modelBuilder.Entity<MappingStatuses.OrderConnection>(e =>
        {
            e.ToTable("order_connections");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<MappingStatuses.StatusRuleRow>(e =>
        {
            e.ToTable("status_rules");
            e.HasKey(x => new { x.ConnectionId, x.ChannelStatus });
        });
        modelBuilder.Entity<CatalogSku>(e =>
        {
            e.ToTable("catalog_skus");
            e.HasKey(x => new { x.TenantId, x.Sku, x.ProductId });
        });
        modelBuilder.Entity<OrderShipment>(e =>
        {
            e.ToTable("order_shipments");
            e.HasKey(x => x.ShipmentId);
        });
        modelBuilder.Entity<OrderCancellation>(e =>
        {
            e.ToTable("order_cancellations");
            e.HasKey(x => x.OrderId);
            e.Property(x => x.Initiator).HasConversion<string>();
            e.Property(x => x.PreviousStatus).HasConversion<string>();
        });
    }
}
