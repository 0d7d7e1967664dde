using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;

namespace Rakuten.Platform.Channels.RakutenJp;

/// <summary>The Rakuten JP adapter's database: its connections, event store, outbox and inbox.</summary>
public sealed class RakutenJpDbContext(DbContextOptions<RakutenJpDbContext> options) : ChannelDbContext(options);
