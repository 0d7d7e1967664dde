using Microsoft.EntityFrameworkCore;
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

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<OrderRecord>(e =>
        {
            e.ToTable("orders");
            e.HasKey(x => x.OrderId);
            e.Property(x => x.Status).HasConversion<string>();
            e.Property(x => x.HoldReason).HasConversion<string>();
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
