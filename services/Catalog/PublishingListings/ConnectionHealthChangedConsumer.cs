using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Connections;

namespace Rakuten.Platform.Catalog.PublishingListings;

/// <summary>Learns the tenant's Rakuten connections. A connection seen for the first time gets the whole
/// catalog published to it (<c>Platform:Catalog:PublishOnConnect</c>, on by default) — an RMS shop once the inventory of
/// its existing items has arrived (<see cref="Onboarding.ChannelItemsFoundConsumer"/> publishes then); a removed one gets no
/// more requests.</summary>
public sealed class ConnectionHealthChangedConsumer(
    CatalogDbContext db, TimeProvider clock, IConfiguration configuration, ILogger<ConnectionHealthChangedConsumer> logger)
    : IConsumer<ConnectionHealthChanged>
{
    public Task Consume(ConsumeContext<ConnectionHealthChanged> context)
    {
        var m = context.Message;
        if (m.Channel == Channel.Shopify)
        {
            return Task.CompletedTask; // Shopify is the source of the catalog, not a place it is published to
        }

        return db.ExecuteOnceAsync(context, nameof(ConnectionHealthChangedConsumer), async ct =>
        {
            await AdvisoryLock.AcquireAsync(db, $"catalog:{m.TenantId}", ct);
            var connection = await db.ListingConnections.FirstOrDefaultAsync(c => c.ConnectionId == m.ConnectionId, ct);
            var now = clock.GetUtcNow();
            if (connection is not null)
            {
                connection.Removed = m.Health == ConnectionHealth.Removed;
                return;
            }

            if (m.Health == ConnectionHealth.Removed)
            {
                return;
            }

            connection = new ListingConnection { ConnectionId = m.ConnectionId, TenantId = m.TenantId, Channel = m.Channel.ToString(), SeenAt = now };
            db.ListingConnections.Add(connection);
            await db.SaveChangesAsync(ct);
            // The inventory of the shop's existing items may have arrived first (another queue): match it now.
            if (await db.ChannelInventories.AnyAsync(i => i.ConnectionId == m.ConnectionId && i.FirstCompletedAt != null, ct))
            {
                await Onboarding.OnboardingMatches.RecomputeAsync(db, connection, ct);
                await db.SaveChangesAsync(ct);
            }
            else if (Onboarding.OnboardingMatches.PublishingWaitsForInventory(connection.Channel))
            {
                logger.LogInformation("New {Channel} connection {Connection}: the catalog is published once the inventory of its existing items has arrived", m.Channel, m.ConnectionId);
                return;
            }

            if (configuration.GetValue("Platform:Catalog:PublishOnConnect", true))
            {
                var products = await db.Products.Where(p => p.TenantId == m.TenantId && !p.Deleted).Select(p => p.ProductId).ToListAsync(ct);
                logger.LogInformation("New {Channel} connection {Connection}: publishing {Count} products to it", m.Channel, m.ConnectionId, products.Count);
                await ListingSync.RefreshAsync(db, m.TenantId, products, now, ct, m.ConnectionId);
            }
        }, logger);
    }
}
