using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Orders;

/// <summary>The orders service's own database: event store, outbox and inbox for now; its tables come with its flows.</summary>
public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : PlatformDbContext(options);
