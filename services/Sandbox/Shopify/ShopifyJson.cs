using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Rakuten.Platform.Sandbox.Shopify;

/// <summary>How the imitation renders its objects: GraphQL shapes (gid ids, money as strings, connections with
/// nodes, edges and pageInfo) and the REST-style webhook payloads (numeric ids, snake_case).</summary>
public static class ShopifyJson
{
    public static string Gid(string type, long id) => $"gid://shopify/{type}/{id}";

    public static long? IdOf(JsonNode? gid, string type) =>
        gid?.GetValue<string>() is { } s && s.StartsWith($"gid://shopify/{type}/", StringComparison.Ordinal)
        && long.TryParse(s[(s.LastIndexOf('/') + 1)..], out var id) ? id : null;

    public static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>The amount of a MoneyBag input (<c>{shopMoney: {amount, currencyCode}}</c>), when it has one.</summary>
    public static decimal? Amount(JsonNode? moneyBag) =>
        moneyBag?["shopMoney"]?["amount"] is JsonValue v && decimal.TryParse(v.ToString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? amount : null;

    private static JsonObject MoneyBag(decimal amount, string currency) =>
        new() { ["shopMoney"] = new JsonObject { ["amount"] = Money(amount), ["currencyCode"] = currency } };

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static JsonObject Connection<T>(IReadOnlyList<T> all, JsonObject args, Func<T, JsonNode> render)
    {
        var first = (int)(args["first"]?.GetValue<long>() ?? 50);
        var offset = args["after"]?.GetValue<string>() is { } cursor ? int.Parse(Encoding.ASCII.GetString(Convert.FromBase64String(cursor)), CultureInfo.InvariantCulture) + 1 : 0;
        var page = all.Skip(offset).Take(first).Select((item, i) => (Node: render(item), Cursor: Cursor(offset + i))).ToList();
        return new JsonObject
        {
            ["nodes"] = new JsonArray(page.Select(p => p.Node.DeepClone()).ToArray()),
            ["edges"] = new JsonArray(page.Select(p => (JsonNode)new JsonObject { ["cursor"] = p.Cursor, ["node"] = p.Node }).ToArray()),
            ["pageInfo"] = new JsonObject
            {
                ["hasNextPage"] = offset + page.Count < all.Count,
                ["endCursor"] = page.Count > 0 ? page[^1].Cursor : null,
            },
        };
    }

    private static string Cursor(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString(CultureInfo.InvariantCulture)));

    public static JsonObject Product(ShopifyShop shop, SProduct p) => new()
    {
        ["id"] = Gid("Product", p.Id),
        ["title"] = p.Title,
        ["handle"] = p.Handle,
        ["vendor"] = p.Vendor,
        ["productType"] = p.ProductType ?? "",
        ["tags"] = new JsonArray(p.Tags.Select(t => (JsonNode)t).ToArray()),
        ["collections"] = new JsonObject { ["nodes"] = new JsonArray(p.Collections.Select(c => (JsonNode)new JsonObject { ["handle"] = c }).ToArray()) },
        ["descriptionHtml"] = p.DescriptionHtml,
        ["status"] = p.Status,
        ["createdAt"] = Time(p.CreatedAt),
        ["updatedAt"] = Time(p.UpdatedAt),
        ["options"] = new JsonArray(p.Options.Select(o => (JsonNode)new JsonObject { ["name"] = o.Name, ["values"] = new JsonArray(o.Values.Select(v => (JsonNode)v).ToArray()) }).ToArray()),
        ["images"] = new JsonObject { ["nodes"] = new JsonArray(p.Images.Select(u => (JsonNode)new JsonObject { ["url"] = u }).ToArray()) },
        ["variants"] = new JsonObject { ["nodes"] = new JsonArray(p.Variants.Select(v => (JsonNode)Variant(shop, p, v)).ToArray()) },
    };

    public static JsonObject Variant(ShopifyShop shop, SProduct p, SVariant v) => new()
    {
        ["id"] = Gid("ProductVariant", v.Id),
        ["title"] = v.Title,
        ["sku"] = v.Sku,
        ["price"] = Money(v.Price),
        ["compareAtPrice"] = v.CompareAtPrice is { } c ? Money(c) : null,
        ["barcode"] = v.Barcode,
        ["metafields"] = new JsonObject
        {
            ["nodes"] = new JsonArray(v.Metafields.Select(m => (JsonNode)new JsonObject { ["namespace"] = m.Namespace, ["key"] = m.Key, ["value"] = m.Value }).ToArray()),
        },
        ["selectedOptions"] = new JsonArray(p.Options.Zip(v.OptionValues).Select(x => (JsonNode)new JsonObject { ["name"] = x.First.Name, ["value"] = x.Second }).ToArray()),
        ["inventoryItem"] = InventoryItem(shop, v),
        ["product"] = new JsonObject { ["id"] = Gid("Product", p.Id), ["title"] = p.Title },
    };

    public static JsonObject InventoryItem(ShopifyShop shop, SVariant v) => new()
    {
        ["id"] = Gid("InventoryItem", v.InventoryItemId),
        ["sku"] = v.Sku,
        ["inventoryLevels"] = new JsonObject
        {
            ["nodes"] = new JsonArray(shop.Levels.Where(l => l.Key.Item == v.InventoryItemId).Select(l => (JsonNode)new JsonObject
            {
                ["location"] = new JsonObject { ["id"] = Gid("Location", l.Key.Location), ["name"] = shop.Locations[l.Key.Location].Name },
                ["quantities"] = new JsonArray(new JsonObject { ["name"] = "available", ["quantity"] = l.Value }, new JsonObject { ["name"] = "on_hand", ["quantity"] = l.Value }),
            }).ToArray()),
        },
    };

    public static JsonObject Order(SOrder o) => new()
    {
        ["id"] = Gid("Order", o.Id),
        ["name"] = o.Name,
        ["createdAt"] = Time(o.CreatedAt),
        ["cancelledAt"] = o.CancelledAt is { } c ? Time(c) : null,
        ["tags"] = new JsonArray(o.Tags.Select(t => (JsonNode)t).ToArray()),
        ["sourceName"] = o.SourceName,
        ["sourceIdentifier"] = o.SourceIdentifier,
        ["displayFulfillmentStatus"] = o.Lines.All(l => l.Fulfilled >= l.Quantity) ? "FULFILLED" : o.Lines.Any(l => l.Fulfilled > 0) ? "PARTIALLY_FULFILLED" : "UNFULFILLED",
        ["lineItems"] = new JsonObject
        {
            ["nodes"] = new JsonArray(o.Lines.Select(l => (JsonNode)new JsonObject
            {
                ["id"] = Gid("LineItem", l.Id), ["sku"] = l.Sku, ["title"] = l.Title, ["quantity"] = l.OriginalQuantity, ["currentQuantity"] = l.Quantity,
                ["originalUnitPriceSet"] = MoneyBag(l.UnitPrice, Currency(o)),
                ["variant"] = l.VariantId is { } v ? new JsonObject { ["id"] = Gid("ProductVariant", v) } : null,
            }).ToArray()),
        },
        ["fulfillmentOrders"] = new JsonObject
        {
            ["nodes"] = new JsonArray(new JsonObject
            {
                ["id"] = Gid("FulfillmentOrder", o.FulfillmentOrderId),
                ["status"] = FulfillmentOrderStatus(o),
                ["fulfillmentHolds"] = new JsonArray(o.OnHold ? [new JsonObject { ["reason"] = "OTHER", ["reasonNotes"] = o.HoldNotes }] : []),
                ["lineItems"] = new JsonObject
                {
                    ["nodes"] = new JsonArray(o.Lines.Select(l => (JsonNode)new JsonObject
                    {
                        ["id"] = Gid("FulfillmentOrderLineItem", l.FulfillmentOrderLineItemId),
                        ["remainingQuantity"] = l.Quantity - l.Fulfilled,
                        ["totalQuantity"] = l.Quantity,
                        ["lineItem"] = new JsonObject { ["id"] = Gid("LineItem", l.Id), ["sku"] = l.Sku },
                    }).ToArray()),
                },
            }),
        },
        ["fulfillments"] = new JsonArray(o.Fulfillments.Select(f => (JsonNode)Fulfillment(f)).ToArray()),
        // What the order's lines come to now (after edits); shipping, taxes and discounts are not counted here.
        ["currentSubtotalPriceSet"] = MoneyBag(o.Lines.Sum(l => l.UnitPrice * l.Quantity), Currency(o)),
        ["edits"] = new JsonArray(o.Edits.Select(e => (JsonNode)e).ToArray()),
        ["input"] = o.Input.DeepClone(),
    };

    private static string Currency(SOrder o) => o.Input["currency"]?.GetValue<string>() ?? o.Input["presentmentCurrency"]?.GetValue<string>() ?? "JPY";

    public static string FulfillmentOrderStatus(SOrder o) =>
        o.CancelledAt is not null ? "CANCELLED" : o.Lines.All(l => l.Fulfilled >= l.Quantity) ? "CLOSED" : o.OnHold ? "ON_HOLD" : "OPEN";

    public static JsonObject Fulfillment(SFulfillment f) => new()
    {
        ["id"] = Gid("Fulfillment", f.Id),
        ["status"] = f.Status,
        ["createdAt"] = Time(f.CreatedAt),
        ["trackingInfo"] = new JsonArray(f.Numbers.Select((n, i) => (JsonNode)new JsonObject
        {
            ["company"] = f.Company, ["number"] = n, ["url"] = i < f.Urls.Count ? f.Urls[i] : null,
        }).ToArray()),
    };

    /// <summary>products/create and products/update payloads, REST-shaped as webhooks are.</summary>
    public static JsonObject ProductWebhook(ShopifyShop shop, SProduct p) => new()
    {
        ["id"] = p.Id,
        ["admin_graphql_api_id"] = Gid("Product", p.Id),
        ["title"] = p.Title,
        ["vendor"] = p.Vendor,
        ["product_type"] = p.ProductType ?? "",
        ["tags"] = string.Join(", ", p.Tags),
        ["body_html"] = p.DescriptionHtml,
        ["status"] = p.Status.ToLowerInvariant(),
        ["created_at"] = Time(p.CreatedAt),
        ["updated_at"] = Time(p.UpdatedAt),
        ["options"] = new JsonArray(p.Options.Select((o, i) => (JsonNode)new JsonObject
        {
            ["name"] = o.Name, ["position"] = i + 1, ["values"] = new JsonArray(o.Values.Select(v => (JsonNode)v).ToArray()),
        }).ToArray()),
        ["images"] = new JsonArray(p.Images.Select(u => (JsonNode)new JsonObject { ["src"] = u }).ToArray()),
        ["variants"] = new JsonArray(p.Variants.Select(v => (JsonNode)new JsonObject
        {
            ["id"] = v.Id,
            ["product_id"] = p.Id,
            ["title"] = v.Title,
            ["sku"] = v.Sku,
            ["price"] = Money(v.Price),
            ["compare_at_price"] = v.CompareAtPrice is { } c ? Money(c) : null,
            ["barcode"] = v.Barcode,
            ["grams"] = v.Grams,
            ["inventory_item_id"] = v.InventoryItemId,
            ["option1"] = v.OptionValues.ElementAtOrDefault(0),
            ["option2"] = v.OptionValues.ElementAtOrDefault(1),
            ["option3"] = v.OptionValues.ElementAtOrDefault(2),
        }).ToArray()),
    };
}
