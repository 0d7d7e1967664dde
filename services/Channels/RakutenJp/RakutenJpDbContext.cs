using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;

namespace Rakuten.Platform.Channels.RakutenJp;

/// <summary>The Rakuten JP adapter's database: its connections, order poller positions, imported orders,
/// event store, outbox and inbox.</summary>
public sealed class RakutenJpDbContext(DbContextOptions<RakutenJpDbContext> options) : ChannelDbContext(options)
{
    public DbSet<OrderPollCursor> OrderPollCursors => Set<OrderPollCursor>();

    public DbSet<ImportedOrder> ImportedOrders => Set<ImportedOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<OrderPollCursor>(e =>
        {
            e.ToTable("order_poll_cursors");
            e.HasKey(x => x.ConnectionId);
            e.Property(x => x.ConnectionId).HasColumnName("connection_id");
            e.Property(x => x.PolledUntil).HasColumnName("polled_until");
        });
        modelBuilder.Entity<ImportedOrder>(e =>
        {
            e.ToTable("imported_orders");
            e.HasKey(x => new { x.ConnectionId, x.OrderNumber });
            e.Property(x => x.ConnectionId).HasColumnName("connection_id");
            e.Property(x => x.OrderNumber).HasColumnName("order_number");
            e.Property(x => x.OrderProgress).HasColumnName("order_progress");
            e.Property(x => x.ImportedAt).HasColumnName("imported_at");
        });
    }
}
