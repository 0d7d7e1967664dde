using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.Common;

/// <summary>How a connection puts products into a marketplace's categories (RMS genres, Rakuten France product types): rules
/// by Shopify product type, tag or collection (handle), tried in order, as pure functions shared by the adapters.</summary>
public static class ProductCategoryRules
{
    /// <summary>The first rule whose product type (case-insensitive), tag or collection the product has, and which of them chose it.</summary>
    public static (T Rule, string Why)? FirstMatch<T>(ProductSnapshot product, IEnumerable<T> rules, Func<T, string?> productType, Func<T, string?> tag,
        Func<T, string?> collection)
    {
        foreach (var rule in rules)
        {
            if (collection(rule) is { } handle && product.Collections?.Any(c => string.Equals(c, handle, StringComparison.OrdinalIgnoreCase)) == true)
                return (rule, $"collection {handle}");
            if (productType(rule) is { } type && string.Equals(type, product.ProductType, StringComparison.OrdinalIgnoreCase))
                return (rule, $"product type {type}");
            if (tag(rule) is { } wanted && product.Tags?.Any(t => string.Equals(t, wanted, StringComparison.OrdinalIgnoreCase)) == true)
                return (rule, $"tag {wanted}");
        }

        return null;
    }

    /// <summary>The shape every rule list keeps to: at most <paramref name="max"/> rules, each with one of a product type, a tag
    /// or a collection handle (at most 255 characters); errors keyed <c>rules</c> / <c>rules[i]</c>.</summary>
    public static void Validate<T>(IReadOnlyList<T> rules, Func<T, string?> productType, Func<T, string?> tag, Func<T, string?> collection, int max,
        Dictionary<string, string[]> errors)
    {
        if (rules.Count > max) errors["rules"] = [$"at most {max} rules"];
        for (var i = 0; i < rules.Count; i++)
        {
            var given = new[] { productType(rules[i]), tag(rules[i]), collection(rules[i]) }.OfType<string>().ToList();
            if (given.Count != 1) errors[$"rules[{i}]"] = ["give one of productType, tag or collection"];
            else if (given[0] is { Length: 0 or > 255 }) errors[$"rules[{i}]"] = ["productType, tag and collection are 1 to 255 characters"];
        }
    }
}
