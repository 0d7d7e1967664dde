using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Rakuten.Platform.Channels.RakutenJp.PublishingItems;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.Tests;

public sealed class RmsItemMappingTests
{
    [Fact]
    public void Manage_numbers_and_variant_ids_are_v_prefixed_lower_case_within_32_bytes_and_stable()
    {
        var id = Guid.NewGuid();
        var manageNumber = RmsItemMapping.ManageNumberFor(id);

        manageNumber.Should().MatchRegex("^v_[a-z0-9]{25}$");
        Encoding.UTF8.GetByteCount(manageNumber).Should().BeLessThanOrEqualTo(32);
        RmsItemMapping.ManageNumberFor(id).Should().Be(manageNumber);
        RmsItemMapping.ManageNumberFor(Guid.NewGuid()).Should().NotBe(manageNumber);
        RmsItemMapping.IsManaged(manageNumber).Should().BeTrue();
        RmsItemMapping.IsManaged("shirt-001").Should().BeFalse();
        RmsItemMapping.IsManaged("V_upper").Should().BeFalse();
    }

    [Fact]
    public void A_product_becomes_an_item_with_selectors_from_options_and_variants_keyed_by_variant_id()
    {
        var product = Products.Shirt() with { };
        var compare = product.Variants[0] with { CompareAtPrice = new Money(5900, "JPY"), Barcode = "4901234567894" };
        product = product with { Variants = [compare, product.Variants[1]] };

        var draft = RmsItemMapping.Map(product, hidden: false, genreId: "100371");

        draft.Refusal.Should().BeNull();
        var item = draft.Item!;
        item["hideItem"]!.GetValue<bool>().Should().BeFalse();
        item["itemType"]!.GetValue<string>().Should().Be("NORMAL");
        item["variantSelectors"]!.AsArray().Select(s => s!["displayName"]!.GetValue<string>()).Should().Equal("Size", "Colour");
        var variant = item["variants"]![RmsItemMapping.VariantIdFor(compare.VariantId)]!;
        variant["merchantDefinedSkuId"]!.GetValue<string>().Should().Be("SH-S-W");
        variant["standardPrice"]!.GetValue<string>().Should().Be("4900");
        variant["referencePrice"]!["value"]!.GetValue<string>().Should().Be("5900");
        variant["articleNumber"]!["value"]!.GetValue<string>().Should().Be("4901234567894");
        variant["selectorValues"]!["s1"]!.GetValue<string>().Should().Be("S");
        variant["selectorValues"]!["s2"]!.GetValue<string>().Should().Be("White");
        variant["attributes"]![0]!["values"]![0]!.GetValue<string>().Should().Be("Acme");
        // Only image types RMS accepts, in R-Cabinet's character set.
        item["images"]!.AsArray().Select(i => i!["location"]!.GetValue<string>()).Should().Equal("/shopify/shirt_front.jpg");
        RmsItemMapping.Map(product, hidden: true, "100371").Item!["hideItem"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void Shopifys_default_title_option_gives_no_selectors()
    {
        var product = new ProductSnapshot(Guid.NewGuid(), "Mug", null, null, [new ProductOption("Title", ["Default Title"])],
            [Products.Variant("MUG-1", 1200, "Default Title")], []);

        var item = RmsItemMapping.Map(product, false, "100371").Item!;

        item["variantSelectors"]!.AsArray().Should().BeEmpty();
        item["variants"]!.AsObject().Single().Value!["selectorValues"].Should().BeNull();
    }

    [Fact]
    public void Over_six_options_or_forty_values_fail_naming_the_rule()
    {
        var seven = Products.Shirt() with { Options = Enumerable.Range(1, 7).Select(i => new ProductOption($"O{i}", ["a"])).ToList() };
        var wide = Products.Shirt() with { Options = [new ProductOption("Size", Enumerable.Range(1, 41).Select(i => $"{i}").ToList())] };

        RmsItemMapping.Map(seven, false, "100371").Refusal!.Code.Should().Be("RULE_VARIANT_SELECTORS");
        RmsItemMapping.Map(seven, false, "100371").Refusal!.Message.Should().Contain("at most 6 variantSelectors");
        RmsItemMapping.Map(wide, false, "100371").Refusal!.Message.Should().Contain("at most 40 values").And.Contain("'Size' has 41");
    }

    [Fact]
    public void A_price_not_in_yen_is_refused_rather_than_converted()
    {
        var euros = Products.Shirt(Products.Variant("SH-1", 49, "S", "White") with { Price = new Money(49, "EUR") });

        RmsItemMapping.Map(euros, false, "100371").Refusal!.Code.Should().Be("RULE_CURRENCY");
    }
}
