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
        });
        modelBuilder.Entity<ImportedOrder>(e =>
        {
            e.ToTable("imported_orders");
            e.HasKey(x => new { x.ConnectionId, x.OrderNumber });
        });
    }
}
