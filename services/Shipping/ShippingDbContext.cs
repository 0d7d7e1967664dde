using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Shipping.ReportingShipments;

namespace Rakuten.Platform.Shipping;

/// <summary>The shipping service's database: the shippable orders, shipments, carrier overrides, outbox and inbox.</summary>
public sealed class ShippingDbContext(DbContextOptions<ShippingDbContext> options) : PlatformDbContext(options)
{
    public DbSet<ShippingOrder> Orders => Set<ShippingOrder>();

    public DbSet<Shipment> Shipments => Set<Shipment>();

    public DbSet<CarrierOverrideRow> CarrierOverrides => Set<CarrierOverrideRow>();

    public DbSet<ReportingShipments.FulfillmentReportRow> FulfillmentReports => Set<ReportingShipments.FulfillmentReportRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ShippingOrder>(e =>
        {
            e.ToTable("shipping_orders");
            e.HasKey(x => x.OrderId);
        });
        modelBuilder.Entity<Shipment>(e =>
        {
            e.ToTable("shipments");
            e.HasKey(x => x.ShipmentId);
            e.Property(x => x.Status).HasConversion<string>();
        });
        modelBuilder.Entity<CarrierOverrideRow>(e =>
        {
            e.ToTable("carrier_overrides");
            e.HasKey(x => new { x.TenantId, x.ShopifyName });
        modelBuilder.Entity<ReportingShipments.FulfillmentReportRow>(e =>
        {
            e.ToTable("fulfillment_reports");
            e.HasKey(x => x.FulfillmentId);
        });
        });
    }
}
