using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.Tests;

/// <summary>Products as the catalog hands them to the channel adapters.</summary>
public static class Products
{
    public static ProductVariant Variant(string? sku, decimal price, params string[] options) =>
        new(Guid.NewGuid(), Random.Shared.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), sku,
            string.Join(" / ", options), options, new Money(price, "JPY"), null, null, 200, null);

    public static ProductSnapshot Shirt(params ProductVariant[] variants) => new(
        Guid.NewGuid(), "Linen shirt", "Acme", "<p>Linen</p>",
        [new ProductOption("Size", ["S", "M"]), new ProductOption("Colour", ["White", "Navy"])],
        variants.Length > 0 ? variants : [Variant("SH-S-W", 4900, "S", "White"), Variant("SH-M-N", 5200, "M", "Navy")],
        ["https://cdn.shopify.com/s/files/1/shirt front.jpg", "https://cdn.shopify.com/s/files/1/spec.pdf"]);

    public static ListingRequested Request(ProductSnapshot product, ListingAction action = ListingAction.Publish) =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), action, product, 1, DateTimeOffset.UtcNow);
}
