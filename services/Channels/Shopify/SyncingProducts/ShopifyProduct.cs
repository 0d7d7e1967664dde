using System.Globalization;
using System.Text.Json.Nodes;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

public sealed record ShopifyVariant(
    string ExternalId, string? Sku, string Title, IReadOnlyList<string> OptionValues, decimal Price, decimal? CompareAtPrice, string? Barcode, int? Grams,
    string? InventoryItemId = null, IReadOnlyList<(string LocationId, int Available)>? Levels = null,
    IReadOnlyList<(string Key, string Value)>? Metafields = null);

/// <summary>A Shopify product as both sources give it — a webhook (REST shape, numeric ids) or the Admin
/// GraphQL API (gid ids) — reduced to what the catalog needs.</summary>
public sealed record ShopifyProduct(
    string ExternalId, string Title, string? Vendor, string? DescriptionHtml, IReadOnlyList<(string Name, IReadOnlyList<string> Values)> Options,
    IReadOnlyList<ShopifyVariant> Variants, IReadOnlyList<string> Images, DateTimeOffset UpdatedAt, string? ProductType = null, IReadOnlyList<string>? Tags = null,
    IReadOnlyList<string>? Collections = null)
{
    /// <summary>products/create and products/update payloads.</summary>
    public static ShopifyProduct FromWebhook(JsonObject p) => new(
        Required(p, "id"),
        p["title"]?.GetValue<string>() ?? throw new FormatException("title is missing"),
        p["vendor"]?.GetValue<string>(),
        p["body_html"]?.GetValue<string>(),
        (p["options"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(o => (o["name"]!.GetValue<string>(), (IReadOnlyList<string>)(o["values"] as JsonArray ?? []).Select(v => v!.GetValue<string>()).ToList())).ToList(),
        (p["variants"] as JsonArray ?? []).OfType<JsonObject>().Select(v => new ShopifyVariant(
            Required(v, "id"),
            Sku(v["sku"]),
            v["title"]?.GetValue<string>() ?? "",
            new[] { "option1", "option2", "option3" }.Select(k => v[k]?.GetValue<string>()).OfType<string>().ToList(),
            Money(v["price"]) ?? throw new FormatException("variant price is missing"),
            Money(v["compare_at_price"]),
            v["barcode"]?.GetValue<string>(),
            v["grams"]?.GetValue<int>(),
            v["inventory_item_id"]?.ToJsonString().Trim('"'))).ToList(),
        (p["images"] as JsonArray ?? []).OfType<JsonObject>().Select(i => i["src"]!.GetValue<string>()).ToList(),
        DateTimeOffset.Parse(p["updated_at"]?.GetValue<string>() ?? throw new FormatException("updated_at is missing"), CultureInfo.InvariantCulture),
        p["product_type"]?.GetValue<string>() is { Length: > 0 } type ? type : null,
        // REST gives the tags as one comma-separated string.
        (p["tags"]?.GetValue<string>() ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A node of the GraphQL <c>products</c> connection.</summary>
    public static ShopifyProduct FromGraphQl(JsonObject p) => new(
        Numeric(p["id"]!.GetValue<string>()),
        p["title"]!.GetValue<string>(),
        p["vendor"]?.GetValue<string>(),
        p["descriptionHtml"]?.GetValue<string>(),
        (p["options"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(o => (o["name"]!.GetValue<string>(), (IReadOnlyList<string>)(o["values"] as JsonArray ?? []).Select(v => v!.GetValue<string>()).ToList())).ToList(),
        (p["variants"]?["nodes"] as JsonArray ?? []).OfType<JsonObject>().Select(v => new ShopifyVariant(
            Numeric(v["id"]!.GetValue<string>()),
            Sku(v["sku"]),
            v["title"]?.GetValue<string>() ?? "",
            (v["selectedOptions"] as JsonArray ?? []).Select(o => o!["value"]!.GetValue<string>()).ToList(),
            Money(v["price"]) ?? 0,
            Money(v["compareAtPrice"]),
            v["barcode"]?.GetValue<string>(),
            null,
            v["inventoryItem"]?["id"]?.GetValue<string>() is { } item ? Numeric(item) : null,
            (v["inventoryItem"]?["inventoryLevels"]?["nodes"] as JsonArray ?? []).OfType<JsonObject>().Select(l => (
                Numeric(l["location"]!["id"]!.GetValue<string>()),
                (l["quantities"] as JsonArray ?? []).FirstOrDefault(q => q?["name"]?.GetValue<string>() == "available")?["quantity"]?.GetValue<int>() ?? 0)).ToList(),
            Metafields(v["metafields"]))).ToList(),
        (p["images"]?["nodes"] as JsonArray ?? []).OfType<JsonObject>().Select(i => i["url"]!.GetValue<string>()).ToList(),
        DateTimeOffset.Parse(p["updatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        p["productType"]?.GetValue<string>() is { Length: > 0 } type ? type : null,
        (p["tags"] as JsonArray ?? []).Select(t => t!.GetValue<string>()).ToList(),
        (p["collections"]?["nodes"] as JsonArray ?? []).OfType<JsonObject>().Select(c => c["handle"]!.GetValue<string>()).ToList());

    /// <summary>The namespace of the variant metafields the platform reads (a connection may match on one of them).</summary>
    public const string MetafieldNamespace = "rakuten";

    /// <summary>The variant's metafields of <see cref="MetafieldNamespace"/> as <c>namespace.key</c> and value; an empty value is none.</summary>
    private static IReadOnlyList<(string Key, string Value)> Metafields(JsonNode? node) =>
        (node?["nodes"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(m => m["namespace"]?.GetValue<string>() == MetafieldNamespace && m["value"]?.GetValue<string>() is { Length: > 0 })
            .Select(m => ($"{MetafieldNamespace}.{m["key"]!.GetValue<string>()}", m["value"]!.GetValue<string>())).ToList();

    private static string Required(JsonObject o, string name) =>
        o[name]?.ToJsonString().Trim('"') ?? throw new FormatException($"{name} is missing");

    /// <summary>A variant's SKU, or null when it has none. A SKU with a control character in it is no SKU a marketplace
    /// takes (and not one a database stores): the product is refused with the reason, not handed on.</summary>
    private static string? Sku(JsonNode? node) => node?.GetValue<string>() is { Length: > 0 } sku
        ? sku.Any(char.IsControl) ? throw new FormatException("a variant's SKU holds a control character") : sku
        : null;

    private static string Numeric(string gid) => gid[(gid.LastIndexOf('/') + 1)..];

    private static decimal? Money(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => decimal.Parse(s, CultureInfo.InvariantCulture),
        JsonValue v => v.GetValue<decimal>(),
        _ => null,
    };
}
