using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Catalog;

/// <summary>The catalog service's own database: event store, outbox and inbox for now; its tables come with its flows.</summary>
public sealed class CatalogDbContext(DbContextOptions<CatalogDbContext> options) : PlatformDbContext(options);
