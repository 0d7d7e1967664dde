using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Channels.Shopify.SyncingStock;

/// <summary>The last available quantity handed on per (inventory item, location), with Shopify's updated_at
/// and the version sent with it.</summary>
public sealed class StockLevel
{
    public required Guid ConnectionId { get; init; }

    public required string InventoryItemId { get; init; }

    public required string LocationId { get; init; }

    public int Available { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public long Version { get; set; }
}

/// <summary>Which SKU an inventory item carries (from products, so a stock webhook can be named).</summary>
public sealed class InventoryItemSku
{
    public required Guid ConnectionId { get; init; }

    public required string InventoryItemId { get; init; }

    public required string Sku { get; set; }
}

public enum StockVerdict
{
    Accept,
    Stale,

    /// <summary>Same updated_at, another quantity: Shopify's timestamps have whole seconds, so the order of two
    /// changes within one second cannot be told from the deliveries — ask Shopify for the current level.</summary>
    Ambiguous,
}

/// <summary>Hands Shopify stock levels on as StockLevelReported: never an older one than what was handed on.</summary>
public static class StockSync
{
    public static StockVerdict Decide(StockLevel? known, int available, DateTimeOffset updatedAt) =>
        known is null || updatedAt > known.UpdatedAt ? StockVerdict.Accept
        : updatedAt < known.UpdatedAt || available == known.Available ? StockVerdict.Stale
        : StockVerdict.Ambiguous;

    /// <summary>Stages the level (and its event) in the caller's unit of work. <paramref name="updatedAt"/> null
    /// means "read from Shopify just now" (an import or a re-read): the truth at that moment, kept unless equal.</summary>
    public static async Task<bool> StageAsync(ShopifyDbContext db, ConnectionRecord connection, string itemId, string locationId, int available,
        DateTimeOffset? updatedAt, DateTimeOffset now, CancellationToken ct)
    {
        var known = await FindAsync(db, connection.Id, itemId, locationId, ct);
        if (updatedAt is { } at ? Decide(known, available, at) != StockVerdict.Accept : known is not null && known.Available == available)
        {
            return false;
        }

        if (known is null)
        {
            known = new StockLevel { ConnectionId = connection.Id, InventoryItemId = itemId, LocationId = locationId };
            db.StockLevels.Add(known);
        }

        known.Available = available;
        known.UpdatedAt = updatedAt is { } t && t > known.UpdatedAt ? t : known.UpdatedAt;
        known.Version++;
        var sku = (db.InventoryItemSkus.Local.FirstOrDefault(i => i.ConnectionId == connection.Id && i.InventoryItemId == itemId)
                   ?? await db.InventoryItemSkus.FirstOrDefaultAsync(i => i.ConnectionId == connection.Id && i.InventoryItemId == itemId, ct))?.Sku;
        if (sku is null)
        {
            return true; // kept: it is handed on once a product names the item's SKU (the next import)
        }

        // One StockLevelReported per connection for the whole unit of work (a batch of webhooks, an import).
        db.AddToOutboxBatch((connection.TenantId, connection.Id), new ReportedStockLevel(sku, itemId, locationId, available, known.Version),
            (key, levels) => new StockLevelReported(key.TenantId, key.Id, levels, now));
        return true;
    }

    /// <summary>The level kept for (item, location), this unit of work's own changes first.</summary>
    public static async Task<StockLevel?> FindAsync(ShopifyDbContext db, Guid connectionId, string itemId, string locationId, CancellationToken ct) =>
        db.StockLevels.Local.FirstOrDefault(l => l.ConnectionId == connectionId && l.InventoryItemId == itemId && l.LocationId == locationId)
        ?? await db.StockLevels.FirstOrDefaultAsync(l => l.ConnectionId == connectionId && l.InventoryItemId == itemId && l.LocationId == locationId, ct);

    /// <summary>Remembers the SKU of each inventory item a product names.</summary>
    public static async Task MapItemAsync(ShopifyDbContext db, Guid connectionId, string itemId, string sku, CancellationToken ct)
    {
        var mapped = db.InventoryItemSkus.Local.FirstOrDefault(i => i.ConnectionId == connectionId && i.InventoryItemId == itemId)
                     ?? await db.InventoryItemSkus.FirstOrDefaultAsync(i => i.ConnectionId == connectionId && i.InventoryItemId == itemId, ct);
        if (mapped is null)
        {
            db.InventoryItemSkus.Add(new InventoryItemSku { ConnectionId = connectionId, InventoryItemId = itemId, Sku = sku });
        }
        else
        {
            mapped.Sku = sku;
        }
    }

    /// <summary><c>inventory_levels/update</c>: <c>{inventory_item_id, location_id, available, updated_at}</c>. Shopify has sent
    /// <c>available: null</c> and bodies without <c>updated_at</c> (reference/shopify.md C.2): both come back null, and
    /// the level is then read from Shopify rather than guessed.</summary>
    public static (string ItemId, string LocationId, int? Available, DateTimeOffset? UpdatedAt) ParseWebhook(JsonObject body) => (
        body["inventory_item_id"]?.ToJsonString().Trim('"') ?? throw new FormatException("inventory_item_id is missing"),
        body["location_id"]?.ToJsonString().Trim('"') ?? throw new FormatException("location_id is missing"),
        body["available"]?.GetValue<int>(),
        body["updated_at"]?.GetValue<string>() is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : null);
}
