using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Inventory.AllocatingStock;

namespace Rakuten.Platform.Inventory;

/// <summary>The inventory service's database: stock per (SKU, location), reservations, allocation rules and the
/// channel quantities last published, with event store, outbox and inbox.</summary>
public sealed class InventoryDbContext(DbContextOptions<InventoryDbContext> options) : PlatformDbContext(options)
{
    public DbSet<LocationStock> LocationStocks => Set<LocationStock>();

    public DbSet<Reservation> Reservations => Set<Reservation>();

    public DbSet<OrderReservation> OrderReservations => Set<OrderReservation>();

    public DbSet<ChannelRule> ChannelRules => Set<ChannelRule>();

    public DbSet<ChannelQuantity> ChannelQuantities => Set<ChannelQuantity>();

    public DbSet<Kits.KitRow> Kits => Set<Kits.KitRow>();

    public DbSet<Kits.KitComponentRow> KitComponents => Set<Kits.KitComponentRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<LocationStock>(e =>
        {
            e.ToTable("location_stock");
            e.HasKey(x => new { x.SourceConnectionId, x.LocationId, x.Sku });
        });
        modelBuilder.Entity<Reservation>(e =>
        {
            e.ToTable("reservations");
            e.HasKey(x => new { x.OrderId, x.Sku });
        });
        modelBuilder.Entity<OrderReservation>(e =>
        {
            e.ToTable("order_reservations");
            e.HasKey(x => x.OrderId);
        });
        modelBuilder.Entity<ChannelRule>(e =>
        {
            e.ToTable("channel_rules");
            e.HasKey(x => x.ConnectionId);
        });
        modelBuilder.Entity<ChannelQuantity>(e =>
        {
            e.ToTable("channel_quantities");
            e.HasKey(x => new { x.ConnectionId, x.Sku });
        });
        modelBuilder.Entity<Kits.KitRow>(e =>
        {
            e.ToTable("kits");
            e.HasKey(x => new { x.TenantId, x.KitSku });
        });
        modelBuilder.Entity<Kits.KitComponentRow>(e =>
        {
            e.ToTable("kit_components");
            e.HasKey(x => new { x.TenantId, x.KitSku, x.ComponentSku });
        });
    }
}
