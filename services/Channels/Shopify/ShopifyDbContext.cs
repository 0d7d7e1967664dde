using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Channels.Shopify;

/// <summary>The shopify service's own database: event store, outbox and inbox for now; its tables come with its flows.</summary>
public sealed class ShopifyDbContext(DbContextOptions<ShopifyDbContext> options) : PlatformDbContext(options);
