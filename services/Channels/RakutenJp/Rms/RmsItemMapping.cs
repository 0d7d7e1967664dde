using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>A product as an RMS item (Items API 2.0, reference/rakuten-jp-rms.md §6), or the rule it breaks.</summary>
public sealed record RmsItemDraft(string ManageNumber, JsonObject? Item, ChannelError? Refusal);

/// <summary>Shopify product → RMS item, as pure functions. The platform owns every item whose manage number
/// begins with <c>v_</c> and no other (seed rule: the merchant's own items are never touched).</summary>
public static class RmsItemMapping
{
    public const string ManagedPrefix = "v_";

    // RMS: at most 6 variantSelectors of 1..40 values, 400 variants, names and values ≤ 32 characters.
    private const int MaxSelectors = 6;
    private const int MaxSelectorValues = 40;
    private const int MaxVariants = 400;
    private const int MaxSelectorText = 32;
    private const int MaxImages = 20;

    public static bool IsManaged(string manageNumber) => manageNumber.StartsWith(ManagedPrefix, StringComparison.Ordinal);

    /// <summary><c>v_</c> + the platform id in base 36: 27 bytes of <c>[a-z0-9_]</c>, inside RMS's 32-byte,
    /// lower-case manage number, and stable whatever the merchant renames.</summary>
    public static string ManageNumberFor(Guid productId) => ManagedPrefix + Base36(productId);

    /// <summary>The variant id (SKU管理番号) of a platform variant: same form; RMS keeps variant ids case-sensitive.</summary>
    public static string VariantIdFor(Guid variantId) => ManagedPrefix + Base36(variantId);

    /// <param name="images">Where each image address is in the shop's R-Cabinet; an image not in it is left out.</param>
    public static RmsItemDraft Map(ProductSnapshot product, bool hidden, string genreId, IReadOnlyDictionary<string, string> images)
    {
        var manageNumber = ManageNumberFor(product.ProductId);
        RmsItemDraft Refuse(string code, string message) => new(manageNumber, null, new ChannelError(code, message));

        if (product.Variants.Count is 0 or > MaxVariants)
            return Refuse("RULE_VARIANTS", $"RMS takes 1 to {MaxVariants} variants per item; '{product.Title}' has {product.Variants.Count}.");
        if (product.Variants.FirstOrDefault(v => v.Price.Currency != "JPY") is { } foreign)
            return Refuse("RULE_CURRENCY", $"RMS prices are in JPY; variant '{foreign.Title}' is priced in {foreign.Price.Currency}.");

        // Shopify gives a product without options one option "Title" with the value "Default Title": no selectors in RMS.
        var options = product.Options.Where(o => !(o.Values.Count == 1 && o.Values[0] == "Default Title")).ToList();
        if (options.Count > MaxSelectors)
            return Refuse("RULE_VARIANT_SELECTORS", $"RMS allows at most {MaxSelectors} variantSelectors; '{product.Title}' has {options.Count} options ({string.Join(", ", options.Select(o => o.Name))}).");
        if (options.FirstOrDefault(o => o.Values.Count > MaxSelectorValues) is { } wide)
            return Refuse("RULE_VARIANT_SELECTOR_VALUES", $"RMS allows at most {MaxSelectorValues} values per variantSelector; option '{wide.Name}' has {wide.Values.Count}.");
        if (options.SelectMany(o => o.Values.Prepend(o.Name)).FirstOrDefault(t => t.Length > MaxSelectorText) is { } longText)
            return Refuse("RULE_VARIANT_SELECTOR_TEXT", $"RMS selector names and values are at most {MaxSelectorText} characters; '{longText}' has {longText.Length}.");

        var selectorKeys = options.Select((o, i) => (Option: o, Key: $"s{i + 1}", Index: product.Options.ToList().IndexOf(o))).ToList();
        var variants = new JsonObject();
        foreach (var variant in product.Variants)
        {
            var json = Prices(variant);
            json["merchantDefinedSkuId"] = variant.Sku;
            // articleNumber is required; without a barcode the exemption reason is sent (RMS code 1; meanings unverified).
            json["articleNumber"] = variant.Barcode is { Length: > 0 and <= 30 } barcode ? new JsonObject { ["value"] = barcode } : new JsonObject { ["exemptionReason"] = 1 };
            json["hidden"] = false;

            if (selectorKeys.Count > 0)
            {
                var chosen = new JsonObject();
                foreach (var (option, key, index) in selectorKeys)
                {
                    chosen[key] = index < variant.OptionValues.Count ? variant.OptionValues[index] : option.Values[0];
                }

                json["selectorValues"] = chosen;
            }

            if (variant.ImageUrl is { } image && images.GetValueOrDefault(image) is { } location)
            {
                json["images"] = new JsonArray(new JsonObject { ["type"] = "CABINET", ["location"] = location });
            }

            if (product.Brand is { Length: > 0 } brand)
            {
                json["attributes"] = new JsonArray(new JsonObject { ["name"] = "ブランド名", ["values"] = new JsonArray(brand) });
            }

            variants[VariantIdFor(variant.VariantId)] = json;
        }

        var item = new JsonObject
        {
            ["itemNumber"] = manageNumber,
            ["title"] = product.Title.Length > 255 ? product.Title[..255] : product.Title,
            ["itemType"] = "NORMAL",
            ["genreId"] = genreId,
            ["hideItem"] = hidden,
            ["productDescription"] = new JsonObject { ["pc"] = Truncate(product.DescriptionHtml, 10240), ["sp"] = Truncate(product.DescriptionHtml, 10240) },
            ["images"] = new JsonArray(product.ImageUrls.Select(images.GetValueOrDefault).OfType<string>().Take(MaxImages)
                .Select(l => (JsonNode)new JsonObject { ["type"] = "CABINET", ["location"] = l }).ToArray()),
            ["variantSelectors"] = new JsonArray(selectorKeys.Select(s => (JsonNode)new JsonObject
            {
                ["key"] = s.Key,
                ["displayName"] = s.Option.Name,
                ["values"] = new JsonArray(s.Option.Values.Select(v => (JsonNode)new JsonObject { ["displayValue"] = v }).ToArray()),
            }).ToArray()),
            ["variants"] = variants,
        };
        return new RmsItemDraft(manageNumber, item, null);
    }

    /// <summary>The seed's price mapping: Shopify price → 販売価格 (<c>standardPrice</c>, whole yen as a string), and
    /// compare-at, when higher, → 当店通常価格 (<c>referencePrice</c> type 1, the shop's own "was" price).</summary>
    public static JsonObject Prices(ProductVariant variant)
    {
        var json = new JsonObject { ["standardPrice"] = Yen(variant.Price.Amount) };
        if (variant.CompareAtPrice is { } reference && reference.Amount > variant.Price.Amount)
        {
            json["referencePrice"] = new JsonObject { ["displayType"] = "REFERENCE_PRICE", ["type"] = 1, ["value"] = Yen(reference.Amount) };
        }

        return json;
    }

    private static string Yen(decimal amount) => decimal.Round(amount, 0, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);

    private static string Truncate(string? text, int max) => text is null ? "" : text.Length > max ? text[..max] : text;

    private static string Base36(Guid id)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var value = new BigInteger(id.ToByteArray(bigEndian: true), isUnsigned: true, isBigEndian: true);
        var text = new StringBuilder();
        do
        {
            text.Insert(0, digits[(int)(value % 36)]);
            value /= 36;
        }
        while (value > 0);
        return text.ToString().PadLeft(25, '0');
    }
}
