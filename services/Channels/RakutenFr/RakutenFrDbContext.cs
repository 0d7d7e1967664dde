using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Channels.RakutenFr;

/// <summary>The rakuten-fr service's own database: event store, outbox and inbox for now; its tables come with its flows.</summary>
public sealed class RakutenFrDbContext(DbContextOptions<RakutenFrDbContext> options) : PlatformDbContext(options);
