using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.Onboarding;

/// <summary>The onboarding of a connection as the listings see it: the report (matched by <see cref="OnboardingMatch"/>
/// over the existing items and the catalog), each product's place in it kept in <c>product_matches</c>, and what that
/// means for the product's listing there.</summary>
public static class OnboardingMatches
{
    public const string ExistingItem = "EXISTING_ITEM";
    public const string ItemConflict = "ITEM_CONFLICT";
    public const string LeftAlone = "LEFT_ALONE";

    /// <summary>Channels where publishing waits for the inventory: on RMS a product whose SKU the shop already sells would
    /// otherwise become a second item. Rakuten France offers are matched by SKU and never created twice.</summary>
    public static bool PublishingWaitsForInventory(string channel) => channel == nameof(Contracts.Channel.RakutenJp);

    public static string Marketplace(string channel) => channel == nameof(Contracts.Channel.RakutenJp) ? "RMS" : "Rakuten France";

    /// <summary>The value of the variant's metafield <paramref name="metafield"/> (<c>namespace.key</c>), if it has one.</summary>
    public static string? MetafieldOf(ProductVariant variant, string? metafield) =>
        metafield is null ? null : variant.Metafields?.FirstOrDefault(m => m.Key == metafield)?.Value;

    public static MatchKey KeyOf(ListingConnection connection) => Enum.TryParse<MatchKey>(connection.MatchKey, true, out var key) ? key : MatchKey.Sku;

    /// <summary>The whole report of a connection, matched now.</summary>
    public static async Task<IReadOnlyList<OnboardingEntry>> ReportAsync(CatalogDbContext db, ListingConnection connection, CancellationToken ct)
    {
        var items = (await db.ChannelItems.AsNoTracking().Where(i => i.ConnectionId == connection.ConnectionId).ToListAsync(ct)).Select(ToItem).ToList();
        var products = await db.Products.AsNoTracking().Where(p => p.TenantId == connection.TenantId && !p.Deleted).Select(p => p.Snapshot).ToListAsync(ct);
        var variants = products.Select(s => JsonSerializer.Deserialize<ProductSnapshot>(s, PlatformJson.Options)!)
            .SelectMany(p => p.Variants.Select(v => new CatalogVariant(p.ProductId, p.Title, v.Title, v.Sku, v.Barcode, MetafieldOf(v, connection.MatchMetafield)))).ToList();
        return OnboardingMatch.Match(variants, items, KeyOf(connection), Marketplace(connection.Channel), connection.MatchMetafield);
    }

    /// <summary>Matches the connection again and keeps each product's place; answers the products whose place changed.</summary>
    public static async Task<IReadOnlyCollection<Guid>> RecomputeAsync(CatalogDbContext db, ListingConnection connection, CancellationToken ct)
    {
        var entries = await ReportAsync(db, connection, ct);
        var fresh = new Dictionary<Guid, ProductMatch>();
        // A conflict outranks a match: a product touched by a doubtful item is not adopted through another one.
        foreach (var entry in entries.Where(e => e.ItemId is not null && e.Kind is MatchKind.Matched or MatchKind.Conflict).OrderBy(e => e.Kind == MatchKind.Matched))
        {
            foreach (var product in entry.ProductIds.Where(p => !fresh.ContainsKey(p)))
            {
                fresh[product] = new ProductMatch
                {
                    ConnectionId = connection.ConnectionId, ProductId = product, TenantId = connection.TenantId, Kind = entry.Kind.ToString(),
                    ItemId = entry.ItemId!, Reason = entry.Reason, VariantIds = JsonSerializer.Serialize(entry.VariantIds, PlatformJson.Options),
                };
            }
        }

        var old = await db.ProductMatches.Where(m => m.ConnectionId == connection.ConnectionId).ToDictionaryAsync(m => m.ProductId, ct);
        var changed = new HashSet<Guid>();
        foreach (var (product, row) in old)
        {
            if (!fresh.TryGetValue(product, out var now))
            {
                db.ProductMatches.Remove(row);
                changed.Add(product);
            }
            else if ((row.Kind, row.ItemId, row.Reason, row.VariantIds) != (now.Kind, now.ItemId, now.Reason, now.VariantIds))
            {
                (row.Kind, row.ItemId, row.Reason, row.VariantIds) = (now.Kind, now.ItemId, now.Reason, now.VariantIds);
                changed.Add(product);
            }
        }

        foreach (var (product, row) in fresh.Where(f => !old.ContainsKey(f.Key)))
        {
            db.ProductMatches.Add(row);
            changed.Add(product);
        }

        return changed;
    }

    /// <summary>A product synced after the inventory may carry a key an existing item has (a new product, a changed SKU):
    /// its place is worked out again before its listing is decided, so it never becomes a second item by accident.</summary>
    public static async Task RefreshForProductsAsync(CatalogDbContext db, ListingConnection connection, IReadOnlyList<ProductSnapshot> products, CancellationToken ct)
    {
        var key = KeyOf(connection);
        var keys = products.SelectMany(p => p.Variants).Select(v => OnboardingMatch.ShopifyKey(key, v.Sku, v.Barcode, MetafieldOf(v, connection.MatchMetafield)))
            .OfType<string>().Distinct().ToList();
        if (keys.Count == 0)
        {
            return;
        }

        // A metafield holds the marketplace's SKU: it is looked up among the items' SKUs.
        var kind = (key == MatchKey.Barcode ? MatchKey.Barcode : MatchKey.Sku).ToString();
        var hit = await db.ChannelItemKeys.AnyAsync(k => k.ConnectionId == connection.ConnectionId && k.KeyKind == kind && keys.Contains(k.KeyValue), ct);
        if (!hit)
        {
            return;
        }

        var ids = products.Select(p => p.ProductId).ToList();
        var known = await db.ProductMatches.CountAsync(m => m.ConnectionId == connection.ConnectionId && ids.Contains(m.ProductId), ct);
        if (known < products.Count)
        {
            await RecomputeAsync(db, connection, ct);
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Pure: what the onboarding means for a product's listing on a connection — a block (with its code), or the
    /// merchant's existing item to adopt — given its place and the merchant's choice for that item.</summary>
    public static (string? Code, string? Reason, AdoptedItem? Adopted) Verdict(string channel, ProductMatch? match, string? decision)
    {
        if (match is null)
        {
            return (null, null, null);
        }

        var marketplace = Marketplace(channel);
        if (match.Kind == nameof(MatchKind.Conflict))
        {
            return (ItemConflict, $"{marketplace} item {match.ItemId}: {match.Reason}", null);
        }

        var variantIds = JsonSerializer.Deserialize<Dictionary<string, string>>(match.VariantIds, PlatformJson.Options)!;
        return decision switch
        {
            ItemDecisions.LeaveAlone => (LeftAlone, $"The merchant left {marketplace} item {match.ItemId} alone: the platform does not touch it, and publishes nothing in its place.", null),
            ItemDecisions.Adopt => (null, null, new AdoptedItem(match.ItemId, AdoptionMode.InPlace, Skus(variantIds))),
            ItemDecisions.Move => (null, null, new AdoptedItem(match.ItemId, AdoptionMode.Move, Skus(variantIds))),
            // Rakuten France offers are the seller's by SKU: matching one is what publishing has always meant there.
            _ when !PublishingWaitsForInventory(channel) => (null, null, null),
            _ => (ExistingItem, $"The shop already sells this product on {marketplace} as item {match.ItemId}. Adopt it (the platform drives its stock, price and orders), " +
                $"move it to the platform's own item, or leave it alone: POST /catalog/onboarding/{match.ConnectionId}/decisions.", null),
        };
    }

    private static List<AdoptedSku> Skus(Dictionary<string, string> variantIds) => variantIds.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new AdoptedSku(v.Key, v.Value)).ToList();

    public static ExistingChannelItem ToItem(ChannelItemRow row) =>
        new(row.ItemId, row.Title, row.Hidden, JsonSerializer.Deserialize<List<ExistingChannelSku>>(row.Skus, PlatformJson.Options)!,
            row.OptionNames is null ? null : JsonSerializer.Deserialize<List<string>>(row.OptionNames, PlatformJson.Options));
}
