using FluentAssertions;
using Rakuten.Platform.Catalog.Pricing;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>Price rules per connection (issue 21): markup, fixed amount, dated conversion, rounding; fixed prices win.</summary>
public sealed class PriceRuleTests
{
    private static readonly DateOnly Today = new(2026, 12, 6);

    private static ProductSnapshot Product(params (string Sku, decimal Price, decimal? CompareAt)[] variants) => new(Guid.NewGuid(), "Tee", null, null, [],
        variants.Select(v => new ProductVariant(Guid.NewGuid(), "gid", v.Sku, v.Sku, [], new Money(v.Price, "JPY"), v.CompareAt is { } c ? new Money(c, "JPY") : null,
            null, null, null)).ToList(), []);

    [Theory]
    [InlineData(1234, 0, 0, null, "up", null, 1234)]
    [InlineData(1200, 8, 0, 10.0, "up", null, 1300)] // 1,296 → ¥1,300
    [InlineData(1200, 8, 0, 10.0, "down", null, 1290)]
    [InlineData(1200, 8, 0, 10.0, "nearest", null, 1300)]
    [InlineData(1200, 0, 55, 100.0, "nearest", null, 1300)] // 1,255 → nearest ¥100
    [InlineData(1234, 0, 0, null, "up", 80.0, 1280)] // ¥x80 endings
    [InlineData(1290, 0, 0, null, "up", 80.0, 1380)]
    [InlineData(1280, 0, 0, null, "up", 80.0, 1280)]
    [InlineData(1234.4, 0, 0, null, "up", null, 1234)] // the yen has no minor unit
    public void A_yen_price_is_marked_up_and_rounded(decimal shopify, decimal markup, decimal add, double? step, string direction, double? ending, decimal expected)
    {
        var rounding = step is null && ending is null ? null : new PriceRounding((decimal?)step, direction, (decimal?)ending);
        PriceRules.Compute(new Money(shopify, "JPY"), new PriceRule(markup, add, null, rounding)).Should().Be(new Money(expected, "JPY"));
    }

    [Fact]
    public void A_conversion_at_a_dated_rate_gives_euros_with_a_99_ending()
    {
        var rule = new PriceRule(10, 0, new CurrencyConversion("JPY", "EUR", 0.0065m, Today), new PriceRounding(null, "up", 0.99m));
        PriceRules.Compute(new Money(1200, "JPY"), rule).Should().Be(new Money(8.99m, "EUR"), "1,200 × 1.1 × 0.0065 = 8.58, up to 8.99");
        PriceRules.Compute(new Money(1258.74m, "JPY"), rule with { MarkupPercent = 0 }).Should().Be(new Money(8.99m, "EUR"), "8.18 → 8.99");
        PriceRules.Compute(new Money(2000, "JPY"), rule with { Rounding = null }).Should().Be(new Money(14.30m, "EUR"), "two decimals for the euro");
    }

    [Fact]
    public void A_fixed_price_wins_over_the_rule_and_each_SKU_says_where_its_price_came_from()
    {
        var book = new PriceBook(new PriceRule(10, 0, null, null), new Dictionary<string, FixedPrice> { ["TEE-M"] = new("TEE-M", new Money(999, "JPY"), null) });
        var (priced, sent, refusal) = PriceRules.Apply(Product(("TEE-S", 1000, 1500), ("TEE-M", 1000, 1500)), book);

        refusal.Should().BeNull();
        priced!.Variants.Select(v => (v.Sku, v.Price.Amount, v.CompareAtPrice?.Amount)).Should().Equal(("TEE-S", 1100m, 1650m), ("TEE-M", 999m, (decimal?)null));
        sent.Select(s => (s.Sku, s.Source)).Should().Equal(("TEE-S", "rule"), ("TEE-M", "price list"));
        PriceRules.Apply(Product(("TEE-S", 1000, null)), PriceBook.Shopify).Sent.Single().Source.Should().Be("shopify");
    }

    [Fact]
    public void A_rule_converting_from_another_currency_refuses_the_product_and_says_what_to_change()
    {
        var book = new PriceBook(new PriceRule(0, 0, new CurrencyConversion("USD", "EUR", 0.9m, Today), null), new Dictionary<string, FixedPrice>());
        var (priced, _, refusal) = PriceRules.Apply(Product(("TEE-S", 1000, null)), book);
        priced.Should().BeNull();
        refusal.Should().Contain("converts from USD").And.Contain("priced in JPY").And.Contain("price-rule");
    }

    [Fact]
    public void A_rule_is_checked_field_by_field()
    {
        var errors = PriceRules.Validate(new PriceRule(-95, 0, new CurrencyConversion("yen", "EUR", 0, Today.AddDays(1)), new PriceRounding(10, "sideways", 0.99m)), Today);
        errors.Keys.Should().BeEquivalentTo("markupPercent", "convert.from", "convert.rate", "convert.asOf", "rounding", "rounding.direction");
        PriceRules.Validate(new PriceRule(8, 0, null, new PriceRounding(10, "up", null)), Today).Should().BeEmpty();
    }
}
