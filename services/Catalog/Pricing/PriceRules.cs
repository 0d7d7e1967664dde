using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.Pricing;

/// <summary>How a connection's prices are made from Shopify's: a markup, then a fixed amount (in Shopify's currency), then a
/// conversion at a dated rate, then the rounding. Each part is optional; without a rule, Shopify's price goes out as it is.</summary>
public sealed record PriceRule(decimal MarkupPercent, decimal AddAmount, CurrencyConversion? Convert, PriceRounding? Rounding);

/// <summary><c>Rate</c> units of <c>To</c> for one unit of <c>From</c>, as published on <c>AsOf</c> (kept so that the merchant
/// sees which day's rate the prices were made with).</summary>
public sealed record CurrencyConversion(string From, string To, decimal Rate, DateOnly AsOf);

/// <summary>Rounding of a computed price: to a multiple of <c>Step</c> (¥10, €0.05) in <c>Direction</c> (up by default: a rule
/// never sells below what it computed), or up to the next price that ends in <c>Ending</c> (€x.99, ¥x80).</summary>
public sealed record PriceRounding(decimal? Step, string Direction, decimal? Ending);

/// <summary>A fixed price for one SKU on one connection, in the channel's currency: it wins over the rule.</summary>
public sealed record FixedPrice(string Sku, Money Price, Money? CompareAtPrice);

/// <summary>The price that went out for one SKU, and where it came from (<c>shopify</c>, <c>price list</c> or <c>rule</c>).</summary>
public sealed record PriceSent(string Sku, Money Price, Money? CompareAtPrice, string Source);

/// <summary>A connection's price list: its rule and its fixed prices.</summary>
public sealed record PriceBook(PriceRule? Rule, IReadOnlyDictionary<string, FixedPrice> Fixed)
{
    public static readonly PriceBook Shopify = new(null, new Dictionary<string, FixedPrice>());
}

/// <summary>The price rules, as pure functions: the prices a connection is sent for a product, and what a rule may say.</summary>
public static class PriceRules
{
    public const string Refused = "PRICE_RULE";

    public static readonly string[] Directions = ["up", "nearest", "down"];

    /// <summary>The product as the connection is sent it (every variant's price and compare-at price made by the book) and
    /// what was sent per SKU; or why the rule cannot price it (a product in another currency than the rule converts from).</summary>
    public static (ProductSnapshot? Priced, IReadOnlyList<PriceSent> Sent, string? Refusal) Apply(ProductSnapshot product, PriceBook book)
    {
        var sent = new List<PriceSent>();
        var variants = new List<ProductVariant>();
        foreach (var variant in product.Variants)
        {
            if (variant.Sku is { } sku && book.Fixed.TryGetValue(sku, out var fixedPrice))
            {
                variants.Add(variant with { Price = fixedPrice.Price, CompareAtPrice = fixedPrice.CompareAtPrice });
                sent.Add(new PriceSent(sku, fixedPrice.Price, fixedPrice.CompareAtPrice, "price list"));
                continue;
            }

            if (book.Rule is not { } rule)
            {
                variants.Add(variant);
                sent.Add(new PriceSent(variant.Sku ?? "", variant.Price, variant.CompareAtPrice, "shopify"));
                continue;
            }

            if (rule.Convert is { } convert && !string.Equals(convert.From, variant.Price.Currency, StringComparison.OrdinalIgnoreCase))
            {
                return (null, [], $"The connection's price rule converts from {convert.From}, but '{product.Title}' ('{variant.Title}') is priced in " +
                                  $"{variant.Price.Currency} in Shopify. Change the rule's conversion (PUT /catalog/connections/{{id}}/price-rule) or give the SKU a fixed price.");
            }

            var price = Compute(variant.Price, rule);
            var compareAt = variant.CompareAtPrice is { } reference ? Compute(reference, rule) : null;
            variants.Add(variant with { Price = price, CompareAtPrice = compareAt });
            sent.Add(new PriceSent(variant.Sku ?? "", price, compareAt, "rule"));
        }

        return (product with { Variants = variants }, sent, null);
    }

    /// <summary>One price through the rule: markup, fixed amount, conversion, rounding; never below zero.</summary>
    public static Money Compute(Money shopify, PriceRule rule)
    {
        var amount = shopify.Amount * (1 + rule.MarkupPercent / 100m) + rule.AddAmount;
        var currency = shopify.Currency;
        if (rule.Convert is { } convert)
        {
            amount *= convert.Rate;
            currency = convert.To.ToUpperInvariant();
        }

        amount = rule.Rounding is { } rounding ? Round(amount, rounding) : amount;
        return new Money(Math.Max(0, decimal.Round(amount, MinorUnits(currency), MidpointRounding.AwayFromZero)), currency);
    }

    public static decimal Round(decimal amount, PriceRounding rounding)
    {
        if (rounding.Ending is { } ending)
        {
            // The unit an ending repeats in: 0.99 → 1, 80 → 100, 980 → 1000.
            var unit = 1m;
            while (unit <= ending)
            {
                unit *= 10;
            }

            return Math.Ceiling((amount - ending) / unit) * unit + ending;
        }

        if (rounding.Step is not { } step)
        {
            return amount;
        }

        var steps = amount / step;
        return step * rounding.Direction switch
        {
            "down" => Math.Floor(steps),
            "nearest" => Math.Round(steps, MidpointRounding.AwayFromZero),
            _ => Math.Ceiling(steps),
        };
    }

    /// <summary>Digits after the decimal point: none for the yen (and the few others without minor units), two otherwise.</summary>
    public static int MinorUnits(string currency) => currency.ToUpperInvariant() is "JPY" or "KRW" or "VND" or "CLP" or "ISK" ? 0 : 2;

    /// <summary>What is wrong with a rule, field by field (empty when it can be used).</summary>
    public static Dictionary<string, string[]> Validate(PriceRule rule, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        if (rule.MarkupPercent is < -90 or > 1000)
            errors["markupPercent"] = ["must be between -90 and 1000 (percent added to Shopify's price)"];
        if (rule.Convert is { } convert)
        {
            if (!IsCurrency(convert.From)) errors["convert.from"] = ["must be a three-letter ISO 4217 code, e.g. JPY"];
            if (!IsCurrency(convert.To)) errors["convert.to"] = ["must be a three-letter ISO 4217 code, e.g. EUR"];
            if (convert.Rate <= 0) errors["convert.rate"] = ["must be more than 0: units of 'to' for one unit of 'from'"];
            if (convert.AsOf > today) errors["convert.asOf"] = ["is in the future: give the date the rate was published"];
        }

        if (rule.Rounding is { } rounding)
        {
            if (rounding.Step is null && rounding.Ending is null)
                errors["rounding"] = ["give step (e.g. 10 for ¥10) or ending (e.g. 0.99), or leave rounding out"];
            if (rounding.Step is not null && rounding.Ending is not null)
                errors["rounding"] = ["give step or ending, not both"];
            if (rounding.Step is <= 0) errors["rounding.step"] = ["must be more than 0"];
            if (rounding.Ending is < 0) errors["rounding.ending"] = ["must be 0 or more"];
            if (!Directions.Contains(rounding.Direction)) errors["rounding.direction"] = [$"must be one of {string.Join(", ", Directions)}"];
        }

        return errors;
    }

    public static bool IsCurrency(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);
}
