using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.Onboarding;

/// <summary>What a connection matches Shopify's variants and the marketplace's existing SKUs on: the SKU (default), the
/// barcode (JAN/EAN on RMS, the catalogue product's barcode on Rakuten France), or a Shopify variant metafield holding the
/// marketplace's SKU (when the merchant's SKUs differ between the two), as Sanka lets the merchant choose.</summary>
public enum MatchKey
{
    Sku,
    Barcode,
    Metafield,
}

public enum MatchKind
{
    /// <summary>Every SKU of the item is a variant of one Shopify product, and every variant of that product is on the item.</summary>
    Matched,

    /// <summary>An existing item no Shopify variant matches.</summary>
    UnmatchedOnChannel,

    /// <summary>A Shopify product not on the marketplace yet.</summary>
    UnmatchedInShopify,

    /// <summary>A match the platform will not guess: one SKU on several items, an item spread over several products, or
    /// an item and a product whose variants differ.</summary>
    Conflict,
}

/// <summary>One Shopify variant as the matcher needs it.</summary>
/// <remarks><c>Metafield</c>: the value of the connection's match metafield on the variant, when it matches on one.</remarks>
public sealed record CatalogVariant(Guid ProductId, string ProductTitle, string VariantTitle, string? Sku, string? Barcode, string? Metafield = null);

/// <summary>One line of the onboarding report: an existing item, a product, or both; and why it is where it is.
/// <c>VariantIds</c> gives, for a match, the item's own variant id per Shopify SKU.</summary>
public sealed record OnboardingEntry(
    MatchKind Kind,
    string? ItemId,
    string? ItemTitle,
    IReadOnlyList<Guid> ProductIds,
    string? ProductTitle,
    string Reason,
    IReadOnlyDictionary<string, string> VariantIds);

/// <summary>Pure: the existing items of a connection against the catalog's products. Nothing is guessed: a match is one
/// item ↔ one product with exactly the same keys; anything less certain is a conflict with its reason.</summary>
public static class OnboardingMatch
{
    private static readonly IReadOnlyDictionary<string, string> NoVariants = new Dictionary<string, string>();

    /// <summary>The key of a Shopify variant: its SKU, its barcode, or its match metafield's value.</summary>
    public static string? ShopifyKey(MatchKey key, string? sku, string? barcode, string? metafield) => key switch
    {
        MatchKey.Barcode => Normalise(barcode, true),
        MatchKey.Metafield => Normalise(metafield, false),
        _ => Normalise(sku, false),
    };

    /// <summary>The key of a marketplace SKU: its barcode when matching on barcodes, else its SKU (a metafield holds the
    /// marketplace's SKU).</summary>
    public static string? ChannelKey(MatchKey key, ExistingChannelSku sku) => key == MatchKey.Barcode ? Normalise(sku.Barcode, true) : Normalise(sku.Sku, false);

    public static IReadOnlyList<OnboardingEntry> Match(IReadOnlyList<CatalogVariant> variants, IReadOnlyList<ExistingChannelItem> items, MatchKey key, string marketplace,
        string? metafield = null)
    {
        var keyName = key switch { MatchKey.Barcode => "barcode", MatchKey.Metafield => $"SKU (Shopify metafield {metafield})", _ => "SKU" };
        string? VariantKey(CatalogVariant v) => ShopifyKey(key, v.Sku, v.Barcode, v.Metafield);
        string? SkuKey(ExistingChannelSku s) => ChannelKey(key, s);
        var variantsByKey = variants.Where(v => VariantKey(v) is not null).GroupBy(v => VariantKey(v)!)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var itemsByKey = items.SelectMany(i => i.Skus.Select(s => (Key: SkuKey(s), Item: i))).Where(x => x.Key is not null)
            .GroupBy(x => x.Key!).ToDictionary(g => g.Key, g => g.Select(x => x.Item.ItemId).Distinct().ToList(), StringComparer.Ordinal);

        var entries = new List<OnboardingEntry>();
        var touched = new HashSet<Guid>();
        var candidates = new List<(ExistingChannelItem Item, Guid Product, Dictionary<string, string> VariantIds)>();
        foreach (var item in items)
        {
            var keys = item.Skus.Select(SkuKey).OfType<string>().Distinct().ToList();
            OnboardingEntry Entry(MatchKind kind, string reason, IReadOnlyList<Guid>? products = null) =>
                new(kind, item.ItemId, item.Title, products ?? [], products is { Count: > 0 } ? Title(products[0]) : null, reason, NoVariants);

            if (keys.Count == 0)
            {
                entries.Add(Entry(MatchKind.UnmatchedOnChannel, $"The item has no {keyName} on any of its {item.Skus.Count} variant(s): nothing to match on. " +
                    $"Give each variant its {keyName} on {marketplace}, or create the product in Shopify from it."));
                continue;
            }

            var shared = keys.Where(k => itemsByKey[k].Count > 1).ToList();
            var products = keys.Where(variantsByKey.ContainsKey).SelectMany(k => variantsByKey[k]).Select(v => v.ProductId).Distinct().ToList();
            touched.UnionWith(products);
            if (shared.Count > 0)
            {
                entries.Add(Entry(MatchKind.Conflict, string.Join(" ", shared.Take(5).Select(k => $"{keyName} {k} is on {itemsByKey[k].Count} items ({string.Join(", ", itemsByKey[k])}).")) +
                    $" Each {keyName} must be on one item only: fix it on {marketplace}, then take the inventory again.", products));
                continue;
            }

            if (products.Count == 0)
            {
                entries.Add(Entry(MatchKind.UnmatchedOnChannel, $"No Shopify variant has its {keyName}(s) {string.Join(", ", keys.Take(5))}{(keys.Count > 5 ? ", …" : "")}."));
                continue;
            }

            if (products.Count > 1)
            {
                entries.Add(Entry(MatchKind.Conflict, $"Its {keyName}s belong to {products.Count} Shopify products ({string.Join(", ", products.Select(p => $"'{Title(p)}'"))}): " +
                    "one item must be one product. Split the item or merge the products, then take the inventory again.", products));
                continue;
            }

            var product = products[0];
            var productKeys = variants.Where(v => v.ProductId == product).Select(VariantKey).ToList();
            var onlyOnItem = keys.Except(productKeys.OfType<string>()).ToList();
            var onlyInShopify = productKeys.OfType<string>().Except(keys).ToList();
            var unkeyed = productKeys.Count(k => k is null);
            if (onlyOnItem.Count > 0 || onlyInShopify.Count > 0 || unkeyed > 0)
            {
                var parts = new List<string>();
                if (onlyOnItem.Count > 0) parts.Add($"only on {marketplace}: {string.Join(", ", onlyOnItem.Take(5))}");
                if (onlyInShopify.Count > 0) parts.Add($"only in Shopify: {string.Join(", ", onlyInShopify.Take(5))}");
                if (unkeyed > 0) parts.Add($"{unkeyed} Shopify variant(s) without a {keyName}");
                entries.Add(Entry(MatchKind.Conflict, $"The item and '{Title(product)}' differ in their variants ({string.Join("; ", parts)}). " +
                    "Make both sides carry the same variants, then take the inventory again.", products));
                continue;
            }

            var variantIds = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var sku in item.Skus)
            {
                foreach (var variant in variantsByKey[SkuKey(sku)!].Where(v => v.Sku is not null))
                {
                    variantIds[variant.Sku!] = sku.VariantId;
                }
            }

            candidates.Add((item, product, variantIds));
        }

        // Two items that each match the same product whole: the platform cannot tell which one the merchant sells.
        foreach (var group in candidates.GroupBy(c => c.Product))
        {
            var many = group.Count() > 1;
            foreach (var (item, product, variantIds) in group)
            {
                entries.Add(many
                    ? new OnboardingEntry(MatchKind.Conflict, item.ItemId, item.Title, [product], Title(product),
                        $"'{Title(product)}' matches {group.Count()} items ({string.Join(", ", group.Select(g => g.Item.ItemId))}): leave all but one alone, or remove the copies on {marketplace}.", NoVariants)
                    : new OnboardingEntry(MatchKind.Matched, item.ItemId, item.Title, [product], Title(product),
                        $"Every {keyName} matches ({variantIds.Count} variant(s)).", variantIds));
            }
        }

        foreach (var product in variants.Select(v => v.ProductId).Distinct().Where(p => !touched.Contains(p)))
        {
            var keyed = variants.Where(v => v.ProductId == product).Any(v => VariantKey(v) is not null);
            entries.Add(new OnboardingEntry(MatchKind.UnmatchedInShopify, null, null, [product], Title(product),
                keyed ? $"Not on {marketplace} yet." : $"No variant has a {keyName}: nothing to match on.", NoVariants));
        }

        return entries;

        string Title(Guid product) => variants.First(v => v.ProductId == product).ProductTitle;
    }

    /// <summary>Null when <paramref name="metafield"/> suits <paramref name="key"/>; else what is wrong with it. The Shopify
    /// import reads the variant metafields of namespace <c>rakuten</c> only.</summary>
    public static string? MetafieldProblem(MatchKey key, string? metafield)
    {
        if (key != MatchKey.Metafield)
        {
            return metafield is null ? null : "is given only with matchKey metafield";
        }

        return metafield is { Length: > 8 and <= 72 } && metafield.StartsWith("rakuten.", StringComparison.Ordinal)
               && metafield[8..].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? null
            : "must name a variant metafield of namespace rakuten, as rakuten.{key} (key: 1 to 64 of a-z A-Z 0-9 _ -), e.g. rakuten.jp_sku";
    }

    /// <summary>Keys compare trimmed; an empty one is none. Barcodes compare as EAN-13 (a UPC-12 gets its leading zero, as
    /// Rakuten France asks).</summary>
    public static string? Normalise(string? value, bool barcode)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return barcode && trimmed.Length == 12 && trimmed.All(char.IsAsciiDigit) ? "0" + trimmed : trimmed;
    }
}
