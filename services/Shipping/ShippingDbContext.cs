using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Shipping;

/// <summary>The shipping service's own database: event store, outbox and inbox for now; its tables come with its flows.</summary>
public sealed class ShippingDbContext(DbContextOptions<ShippingDbContext> options) : PlatformDbContext(options);
