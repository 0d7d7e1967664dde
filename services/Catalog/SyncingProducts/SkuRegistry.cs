namespace Rakuten.Platform.Catalog.SyncingProducts;

public sealed record SkuClaim(Guid VariantId, string Sku, Guid ProductId, string ProductTitle);

public sealed record SkuConflict(string Sku, IReadOnlyList<SkuClaim> Claims)
{
    /// <summary>Names every product involved, and what to do (Anchanto keeps "only one" silently; we say which).</summary>
    public string Reason =>
        $"SKU {Sku} is used by {Claims.Count} variants: {string.Join(", ", Claims.Select(c => $"'{c.ProductTitle}'").Distinct())}. " +
        "Each SKU must be unique: change it on all but one variant in Shopify; until then none of them is listed on the channels.";
}

/// <summary>The SKU rule, as pure functions: a SKU is listed only when exactly one variant claims it.</summary>
public static class SkuRegistry
{
    /// <summary>The conflicts among <paramref name="claims"/> (all claims of the SKUs concerned, the product's own
    /// new claims included), one per SKU claimed by more than one variant.</summary>
    public static IReadOnlyList<SkuConflict> Conflicts(IEnumerable<SkuClaim> claims) =>
        claims.GroupBy(c => c.Sku, StringComparer.Ordinal)
            .Where(g => g.Select(c => c.VariantId).Distinct().Count() > 1)
            .Select(g => new SkuConflict(g.Key, g.OrderBy(c => c.ProductTitle, StringComparer.Ordinal).ThenBy(c => c.VariantId).ToList()))
            .OrderBy(c => c.Sku, StringComparer.Ordinal)
            .ToList();
}
