using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.Common;

/// <summary>How a connection puts products into a marketplace's categories (RMS genres, Rakuten France product types): rules
/// by Shopify product type or tag, tried in order, as pure functions shared by the adapters.</summary>
public static class ProductCategoryRules
{
    /// <summary>The first rule whose product type (case-insensitive) or tag the product has, and which of them chose it.</summary>
    public static (T Rule, string Why)? FirstMatch<T>(ProductSnapshot product, IEnumerable<T> rules, Func<T, string?> productType, Func<T, string?> tag)
    {
        foreach (var rule in rules)
        {
            if (productType(rule) is { } type && string.Equals(type, product.ProductType, StringComparison.OrdinalIgnoreCase))
                return (rule, $"product type {type}");
            if (tag(rule) is { } wanted && product.Tags?.Any(t => string.Equals(t, wanted, StringComparison.OrdinalIgnoreCase)) == true)
                return (rule, $"tag {wanted}");
        }

        return null;
    }

    /// <summary>The shape every rule list keeps to: at most <paramref name="max"/> rules, each with a product type or a tag (one
    /// of them, at most 255 characters); errors keyed <c>rules</c> / <c>rules[i]</c>.</summary>
    public static void Validate<T>(IReadOnlyList<T> rules, Func<T, string?> productType, Func<T, string?> tag, int max, Dictionary<string, string[]> errors)
    {
        if (rules.Count > max) errors["rules"] = [$"at most {max} rules"];
        for (var i = 0; i < rules.Count; i++)
        {
            if (productType(rules[i]) is null == (tag(rules[i]) is null)) errors[$"rules[{i}]"] = ["give productType or tag (one of them)"];
            if ((productType(rules[i]) ?? tag(rules[i])) is { Length: > 255 }) errors[$"rules[{i}]"] = ["productType and tag are at most 255 characters"];
        }
    }
}
