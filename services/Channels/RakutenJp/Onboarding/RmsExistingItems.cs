using System.Text.Json.Nodes;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.Onboarding;

/// <summary>Pure: an items.search result as the catalog's <see cref="ExistingChannelItem"/>, and the patch that makes an
/// adopted item follow a Shopify product without touching its page.</summary>
public static class RmsExistingItems
{
    /// <summary>Null for what is not the merchant's item to report: a deleted item still in the index (only its manage
    /// number comes back, reference A.2) and the platform's own <c>v_</c> items.</summary>
    public static ExistingChannelItem? FromSearch(JsonObject result)
    {
        if (result["item"] is not JsonObject item || Text(item["manageNumber"]) is not { } manageNumber || Text(item["title"]) is not { } title)
        {
            return null;
        }

        if (RmsItemMapping.IsManaged(manageNumber))
        {
            return null;
        }

        var selectorNodes = (item["variantSelectors"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var selectors = selectorNodes.Select(s => Text(s["key"]) ?? "").ToList();
        var skus = (item["variants"] as JsonObject ?? []).Select(v =>
        {
            var variant = v.Value as JsonObject ?? [];
            var chosen = variant["selectorValues"] as JsonObject ?? [];
            return new ExistingChannelSku(v.Key, Text(variant["merchantDefinedSkuId"]) is { Length: > 0 } sku ? sku : null,
                Text(variant["articleNumber"]?["value"]) is { Length: > 0 } barcode ? barcode : null,
                selectors.Select(key => Text(chosen[key]) ?? "").ToList(),
                decimal.TryParse(Text(variant["standardPrice"]), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var price)
                    ? new Money(price, "JPY") : null);
        }).ToList();
        // The shop's own words for its options (displayName), else the selector's key.
        var optionNames = selectorNodes.Select(s => Text(s["displayName"]) ?? Text(s["key"]) ?? "").ToList();
        return new ExistingChannelItem(manageNumber, title, item["hideItem"]?.GetValueKind() == System.Text.Json.JsonValueKind.True, skus, optionNames);
    }

    /// <summary>The PATCH for an adopted item: the prices of the variants that carry the product's SKUs (the rest of each
    /// variant as RMS has it — a PATCH replaces the whole <c>variants</c> list), and whether it is on sale. Title,
    /// description, images and genre stay the merchant's. An error when a SKU the catalog adopted is gone from the item.</summary>
    public static (JsonObject? Patch, ChannelError? Refusal) AdoptedPatch(JsonObject existing, ProductSnapshot product, AdoptedItem adopted, bool hide)
    {
        var variants = (existing["variants"] as JsonObject ?? []).DeepClone().AsObject();
        foreach (var variant in product.Variants.Where(v => v.Sku is not null && adopted.VariantIdOf(v.Sku) is not null))
        {
            if (variant.Price.Currency != "JPY")
            {
                return (null, new ChannelError("RULE_CURRENCY", $"RMS prices are in JPY; variant '{variant.Title}' is priced in {variant.Price.Currency}."));
            }

            var variantId = adopted.VariantIdOf(variant.Sku!)!;
            if (variants[variantId] is not JsonObject target)
            {
                return (null, new ChannelError("ADOPTED_SKU_GONE",
                    $"RMS item {adopted.ItemId} no longer has variant {variantId} (SKU {variant.Sku}): take the onboarding inventory again and adopt the item anew."));
            }

            var prices = RmsItemMapping.Prices(variant);
            target["standardPrice"] = prices["standardPrice"]!.DeepClone();
            target.Remove("referencePrice");
            if (prices["referencePrice"] is { } reference)
            {
                target["referencePrice"] = reference.DeepClone();
            }
        }

        return (new JsonObject { ["hideItem"] = hide, ["variants"] = variants }, null);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
