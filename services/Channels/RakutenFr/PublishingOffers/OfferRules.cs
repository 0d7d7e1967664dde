using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

/// <summary>What a listing request means for Rakuten France offers, as pure functions.</summary>
public static class OfferRules
{
    public const string NoOffer = "NO_OFFER";

    /// <summary>The offer lines a request queues, or why it cannot be carried out. Offers are matched on SKU; a
    /// variant with no offer fails the listing naming the SKU. Rakuten France has no "hidden" state for an offer
    /// and the stock file cannot delete one: hiding and withdrawing both set the stock to 0.</summary>
    /// <param name="createOffers">A SKU without offer whose variant has an EAN gets its advert created on the catalogue product
    /// with that EAN (reference F.2), in the same stock file; without an EAN the listing waits for the merchant's offer.</param>
    /// <param name="productType">The template of the product type the connection maps the product to: a SKU without offer then
    /// gets a product page of that type created with its advert (reference F.2, rule 3) — on the catalogue product of its EAN
    /// instead when Rakuten France has one.</param>
    public static (IReadOnlyList<OfferFile.Line> Lines, ChannelError? Refusal) Plan(
        ListingRequested request, IReadOnlySet<string> offeredSkus, IReadOnlyDictionary<string, decimal> eurPerUnit, bool createOffers = false,
        ProductPages.ProductTypeTemplate? productType = null)
    {
        var product = request.Product;
        var unnamed = product.Variants.Where(v => string.IsNullOrWhiteSpace(v.Sku)).Select(v => v.Title).ToList();
        if (unnamed.Count > 0)
            return ([], new ChannelError("NO_SKU", $"Rakuten France matches offers on SKU; variant(s) {string.Join(", ", unnamed.Select(t => $"'{t}'"))} of '{product.Title}' have none."));
        var creatable = request.Action is ListingAction.Publish or ListingAction.Unhide && createOffers;
        var toCreate = product.Variants.Where(v => !offeredSkus.Contains(v.Sku!) && creatable).DistinctBy(v => v.Sku).ToList();
        var pages = new Dictionary<string, ProductPages.ProductPageDraft>();
        if (productType is not null)
        {
            var problems = new List<string>();
            foreach (var variant in toCreate)
            {
                var (page, wrong) = ProductPages.ProductPage.Draft(product, variant, Ean(variant.Barcode), productType);
                if (page is not null) pages[variant.Sku!] = page;
                else problems.Add($"SKU {variant.Sku}: {string.Join("; ", wrong)}");
            }

            if (problems.Count > 0)
                return ([], new ChannelError("PRODUCT_PAGE", $"A Rakuten France product page of type {productType.Alias} cannot be made: {string.Join(". ", problems)}."));
        }

        var created = toCreate.Where(v => pages.ContainsKey(v.Sku!) || Ean(v.Barcode) is not null).ToDictionary(v => v.Sku!, v => Ean(v.Barcode));
        var missing = product.Variants.Select(v => v.Sku!).Where(s => !offeredSkus.Contains(s) && !created.ContainsKey(s)).Distinct().ToList();
        if (missing.Count > 0)
            return ([], new ChannelError(NoOffer, string.Join("; ", missing.Select(s => $"no Rakuten France offer with SKU {s}")) +
                ". Give the variant its EAN (barcode) in Shopify so the platform creates the offer on Rakuten France's product page, map the product's type " +
                "to a Rakuten France product type (PUT /channels/rakuten-fr/connections/{id}/product-types) so the platform creates the product page, or create " +
                "the offer there with this SKU as its seller reference: the listing is retried by itself once the offer appears."));

        if (request.Action is ListingAction.Hide or ListingAction.Withdraw)
            return (product.Variants.Select(v => new OfferFile.Line(v.Sku!, null, 0)).ToList(), null);

        var lines = new List<OfferFile.Line>();
        foreach (var variant in product.Variants)
        {
            // Prices are never converted silently: EUR as it is, another currency only at a rate the operator set.
            var price = variant.Price.Currency == "EUR" ? variant.Price.Amount
                : eurPerUnit.TryGetValue(variant.Price.Currency, out var rate) ? decimal.Round(variant.Price.Amount * rate, 2, MidpointRounding.AwayFromZero)
                : (decimal?)null;
            if (price is null)
                return ([], new ChannelError("RULE_CURRENCY",
                    $"Rakuten France prices are in EUR; '{variant.Title}' is priced in {variant.Price.Currency} and no rate is set (Platform:RakutenFr:EurPer:{variant.Price.Currency})."));
            lines.Add(new OfferFile.Line(variant.Sku!, price, null, created.GetValueOrDefault(variant.Sku!), pages.GetValueOrDefault(variant.Sku!)));
        }

        return (lines, null);
    }

    /// <summary>A barcode as Rakuten France takes it: 13 digits, a UPC-12 or UPC-11 padded with leading zeros; null otherwise.</summary>
    public static string? Ean(string? barcode)
    {
        var digits = barcode?.Trim();
        if (digits is null || digits.Length is < 11 or > 13 || !digits.All(char.IsAsciiDigit))
            return null;
        return digits.PadLeft(13, '0');
    }

    /// <summary>The next moment a stock file may go: Rakuten takes at most <paramref name="filesPerHour"/> in any
    /// hour, and the platform spreads them evenly so that a burst never leaves the rest of the hour without one.</summary>
    public static DateTimeOffset NextFileAt(IReadOnlyList<DateTimeOffset> sentWithinHour, int filesPerHour, DateTimeOffset now)
    {
        if (sentWithinHour.Count == 0)
            return now;
        var spacing = TimeSpan.FromHours(1) / filesPerHour;
        var next = sentWithinHour.Max() + spacing;
        if (sentWithinHour.Count >= filesPerHour)
        {
            var oldest = sentWithinHour.Order().ElementAt(sentWithinHour.Count - filesPerHour);
            next = next > oldest.AddHours(1) ? next : oldest.AddHours(1);
        }

        return next;
    }
}
