using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;

namespace Rakuten.Platform.Channels.RakutenFr;

/// <summary>The Rakuten France adapter's database: its connections, event store, outbox and inbox.</summary>
public sealed class RakutenFrDbContext(DbContextOptions<RakutenFrDbContext> options) : ChannelDbContext(options);
