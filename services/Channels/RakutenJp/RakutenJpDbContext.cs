using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Channels.RakutenJp;

/// <summary>The rakuten-jp service's own database: event store, outbox and inbox for now; its tables come with its flows.</summary>
public sealed class RakutenJpDbContext(DbContextOptions<RakutenJpDbContext> options) : PlatformDbContext(options);
