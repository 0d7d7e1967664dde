using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Inventory;

/// <summary>The inventory service's own database: event store, outbox and inbox for now; its tables come with its flows.</summary>
public sealed class InventoryDbContext(DbContextOptions<InventoryDbContext> options) : PlatformDbContext(options);
