using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.Onboarding;

/// <summary>Keeps a page of a shop's existing items. Pages may arrive in any order; once every page up to the last has
/// arrived the inventory is complete: items no longer in the shop are forgotten, the connection is matched again, and
/// the products whose place changed are decided again — on the first inventory of an RMS shop, the whole catalog is
/// published to it then (it waited for this).</summary>
public sealed class ChannelItemsFoundConsumer(CatalogDbContext db, TimeProvider clock, IConfiguration configuration, ILogger<ChannelItemsFoundConsumer> logger)
    : IConsumer<ChannelItemsFound>
{
    public Task Consume(ConsumeContext<ChannelItemsFound> context)
    {
        var m = context.Message;
        return db.ExecuteOnceAsync(context, nameof(ChannelItemsFoundConsumer), async ct =>
        {
            await AdvisoryLock.AcquireAsync(db, $"catalog:{m.TenantId}", ct);
            var now = clock.GetUtcNow();
            var inventory = await db.ChannelInventories.FirstOrDefaultAsync(i => i.ConnectionId == m.ConnectionId, ct);
            if (inventory is null)
            {
                inventory = new ChannelInventory { ConnectionId = m.ConnectionId, TenantId = m.TenantId, Channel = m.Channel.ToString(), InventoryId = m.InventoryId, StartedAt = m.OccurredAt };
                db.ChannelInventories.Add(inventory);
            }
            else if (inventory.InventoryId != m.InventoryId)
            {
                if (m.OccurredAt < inventory.StartedAt)
                {
                    logger.LogInformation("A page of an older inventory of connection {Connection} arrived late; ignored", m.ConnectionId);
                    return;
                }

                // A newer inventory starts over; the items it does not find again are forgotten when it completes.
                (inventory.InventoryId, inventory.PagesReceived, inventory.LastPage, inventory.Items, inventory.StartedAt, inventory.CompletedAt) =
                    (m.InventoryId, 0, null, 0, m.OccurredAt, null);
            }

            await KeepAsync(m, ct);
            inventory.PagesReceived++;
            inventory.Items += m.Items.Count;
            inventory.TotalFound = m.TotalFound ?? inventory.TotalFound;
            if (m.Last)
            {
                inventory.LastPage = m.Page;
            }

            if (inventory.LastPage is not { } last || inventory.PagesReceived < last + 1)
            {
                return;
            }

            var gone = db.ChannelItems.Where(i => i.ConnectionId == m.ConnectionId && i.InventoryId != m.InventoryId).Select(i => i.ItemId);
            await db.ChannelItemKeys.Where(k => k.ConnectionId == m.ConnectionId && gone.Contains(k.ItemId)).ExecuteDeleteAsync(ct);
            await db.ChannelItems.Where(i => i.ConnectionId == m.ConnectionId && i.InventoryId != m.InventoryId).ExecuteDeleteAsync(ct);
            var first = inventory.FirstCompletedAt is null;
            inventory.CompletedAt = now;
            inventory.FirstCompletedAt ??= now;
            await db.SaveChangesAsync(ct);

            var connection = await db.ListingConnections.FirstOrDefaultAsync(c => c.ConnectionId == m.ConnectionId && !c.Removed, ct);
            if (connection is null)
            {
                return; // the connection is not known yet (or removed): publishing on connect reads the inventory when it is
            }

            var changed = await OnboardingMatches.RecomputeAsync(db, connection, ct);
            await db.SaveChangesAsync(ct);
            var publishAll = first && OnboardingMatches.PublishingWaitsForInventory(connection.Channel) && configuration.GetValue("Platform:Catalog:PublishOnConnect", true);
            var products = publishAll
                ? await db.Products.Where(p => p.TenantId == m.TenantId && !p.Deleted).Select(p => p.ProductId).ToListAsync(ct)
                : changed.ToList();
            logger.LogInformation("Inventory of {Channel} connection {Connection} complete: {Items} existing item(s); {Products} product(s) to decide again",
                m.Channel, m.ConnectionId, inventory.Items, products.Count);
            await ListingSync.RefreshAsync(db, m.TenantId, products, now, ct, m.ConnectionId);
        }, logger);
    }

    private async Task KeepAsync(ChannelItemsFound m, CancellationToken ct)
    {
        var ids = m.Items.Select(i => i.ItemId).Distinct().ToList();
        var rows = await db.ChannelItems.Where(i => i.ConnectionId == m.ConnectionId && ids.Contains(i.ItemId)).ToDictionaryAsync(i => i.ItemId, ct);
        await db.ChannelItemKeys.Where(k => k.ConnectionId == m.ConnectionId && ids.Contains(k.ItemId)).ExecuteDeleteAsync(ct);
        foreach (var item in m.Items.DistinctBy(i => i.ItemId))
        {
            if (!rows.TryGetValue(item.ItemId, out var row))
            {
                row = new ChannelItemRow { ConnectionId = m.ConnectionId, ItemId = item.ItemId, TenantId = m.TenantId, InventoryId = m.InventoryId, Title = item.Title, Skus = "[]" };
                db.ChannelItems.Add(row);
            }

            row.InventoryId = m.InventoryId;
            row.Title = item.Title.Length > 500 ? item.Title[..500] : item.Title;
            row.Hidden = item.Hidden;
            row.Skus = JsonSerializer.Serialize(item.Skus, PlatformJson.Options);
            row.OptionNames = item.OptionNames is null ? null : JsonSerializer.Serialize(item.OptionNames, PlatformJson.Options);
            var keys = item.Skus.Select(s => (Kind: nameof(MatchKey.Sku), Value: OnboardingMatch.Normalise(s.Sku, false)))
                .Concat(item.Skus.Select(s => (Kind: nameof(MatchKey.Barcode), Value: OnboardingMatch.Normalise(s.Barcode, true))))
                .Where(k => k.Value is not null).Distinct();
            db.ChannelItemKeys.AddRange(keys.Select(k => new ChannelItemKey { ConnectionId = m.ConnectionId, KeyKind = k.Kind, KeyValue = k.Value!, ItemId = item.ItemId }));
        }
    }
}

/// <summary>Records what the adapter did with an item's order button.</summary>
public sealed class OrderButtonChangedConsumer(CatalogDbContext db, ILogger<OrderButtonChangedConsumer> logger) : IConsumer<OrderButtonChanged>
{
    public Task Consume(ConsumeContext<OrderButtonChanged> context)
    {
        var m = context.Message;
        return db.ExecuteOnceAsync(context, nameof(OrderButtonChangedConsumer), async ct =>
        {
            var decision = await db.ItemDecisions.FirstOrDefaultAsync(d => d.ConnectionId == m.ConnectionId && d.ItemId == m.ItemId, ct);
            if (decision is null)
            {
                return;
            }

            decision.OrderButtonHidden = m.Hidden;
            decision.OrderButtonError = m.Error is null ? null : $"{m.Error.Code}: {m.Error.Message}";
        }, logger);
    }
}
