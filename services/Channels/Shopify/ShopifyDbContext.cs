using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;

namespace Rakuten.Platform.Channels.Shopify;

/// <summary>The Shopify adapter's database: its connections, event store, outbox and inbox.</summary>
public sealed class ShopifyDbContext(DbContextOptions<ShopifyDbContext> options) : ChannelDbContext(options);
