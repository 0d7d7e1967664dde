using System.Text;
using FluentAssertions;
using Rakuten.Platform.Channels.RakutenFr.PublishingOffers;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.Tests;

public sealed class OfferRulesTests
{
    private static readonly Dictionary<string, decimal> Rates = new() { ["JPY"] = 0.0062m };

    [Fact]
    public void A_SKU_without_an_offer_fails_the_listing_naming_the_SKU()
    {
        var request = Products.Request(Products.Shirt());

        var (lines, refusal) = OfferRules.Plan(request, new HashSet<string> { "SH-S-W" }, Rates);

        lines.Should().BeEmpty();
        refusal!.Code.Should().Be("NO_OFFER");
        refusal.Message.Should().StartWith("no Rakuten France offer with SKU SH-M-N");
    }

    [Fact]
    public void Prices_are_sent_in_euros_at_the_operators_rate_and_never_converted_without_one()
    {
        var request = Products.Request(Products.Shirt());

        var (lines, _) = OfferRules.Plan(request, new HashSet<string> { "SH-S-W", "SH-M-N" }, Rates);
        var (_, refusal) = OfferRules.Plan(request, new HashSet<string> { "SH-S-W", "SH-M-N" }, new Dictionary<string, decimal>());

        lines.Should().Equal(new OfferFile.Line("SH-S-W", 30.38m, null), new OfferFile.Line("SH-M-N", 32.24m, null));
        refusal!.Code.Should().Be("RULE_CURRENCY");
    }

    [Theory]
    [InlineData(ListingAction.Hide)]
    [InlineData(ListingAction.Withdraw)]
    public void Hiding_or_withdrawing_sets_the_stock_to_zero(ListingAction action)
    {
        var (lines, _) = OfferRules.Plan(Products.Request(Products.Shirt(), action), new HashSet<string> { "SH-S-W", "SH-M-N" }, Rates);

        lines.Should().OnlyContain(l => l.Stock == 0 && l.Price == null).And.HaveCount(2);
    }

    [Fact]
    public void Files_are_spread_over_the_hour_and_never_more_than_the_quota()
    {
        var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

        OfferRules.NextFileAt([], 10, now).Should().Be(now);
        OfferRules.NextFileAt([now.AddMinutes(-2)], 10, now).Should().Be(now.AddMinutes(4));
        var ten = Enumerable.Range(0, 10).Select(i => now.AddMinutes(-59 + i)).ToList();
        OfferRules.NextFileAt(ten, 10, now).Should().Be(now.AddMinutes(1), "the oldest of the ten leaves the hour then");
    }

    [Fact]
    public void The_stock_file_is_latin1_xml_without_a_byte_order_mark_and_carries_only_what_changed()
    {
        var file = OfferFile.Build([new OfferFile.Line("SKU-é", 12.5m, null), new OfferFile.Line("SKU-2", null, 0)]);
        var text = Encoding.Latin1.GetString(file);

        file[0].Should().Be((byte)'<');
        text.Should().ContainEquivalentOf("encoding=\"ISO-8859-1\"");
        text.Should().Contain("<key>sellerReference</key><value><![CDATA[SKU-é]]></value>");
        text.Should().Contain("<key>sellingPrice</key><value><![CDATA[12.50]]></value>");
        text.Should().Contain("<key>stock</key><value><![CDATA[0]]></value>");
        text.Split("<item>").Length.Should().Be(3);
        text.Should().NotContain("<key>stock</key><value><![CDATA[12");
    }

    [Fact]
    public void A_SKU_without_an_offer_but_with_an_EAN_gets_its_advert_created_on_the_catalogue_product_and_one_without_an_EAN_still_waits()
    {
        var withEan = Products.Shirt(Products.Variant("SH-S-W", 4900, "S", "White") with { Barcode = "012345678905" }, Products.Variant("SH-M-N", 5200, "M", "Navy"));

        var (lines, refusal) = OfferRules.Plan(Products.Request(withEan), new HashSet<string> { "SH-M-N" }, Rates, createOffers: true);
        refusal.Should().BeNull();
        lines.Should().Equal(new OfferFile.Line("SH-S-W", 30.38m, null, "0012345678905"), new OfferFile.Line("SH-M-N", 32.24m, null));

        OfferRules.Plan(Products.Request(withEan), new HashSet<string>(), Rates, createOffers: true).Refusal!.Message.Should()
            .StartWith("no Rakuten France offer with SKU SH-M-N").And.Contain("Give the variant its EAN");
        OfferRules.Plan(Products.Request(withEan), new HashSet<string> { "SH-M-N" }, Rates, createOffers: false).Refusal!.Code.Should().Be("NO_OFFER");
        OfferRules.Plan(Products.Request(withEan, ListingAction.Hide), new HashSet<string> { "SH-M-N" }, Rates, createOffers: true).Refusal!.Code
            .Should().Be("NO_OFFER", "hiding creates nothing");
        OfferRules.Ean("4901234567894").Should().Be("4901234567894");
        OfferRules.Ean("1234567").Should().BeNull();
        OfferRules.Ean("49012345678X4").Should().BeNull();
    }

    [Fact]
    public void A_creating_line_carries_the_catalogue_product_and_the_fields_a_creation_needs()
    {
        var xml = Encoding.Latin1.GetString(OfferFile.Build([new OfferFile.Line("MUG-1", 7.44m, 6, "4901234567894"), new OfferFile.Line("CUP-1", null, 2)]));
        xml.Should().Contain("<product><attribute><key>codebarres</key><value><![CDATA[4901234567894]]></value></attribute></product>");
        xml.Should().Contain("<key>qty</key><value><![CDATA[6]]></value>").And.Contain("<key>state</key><value><![CDATA[N]]></value>");
        xml.Split("<item>")[2].Should().NotContain("codebarres").And.NotContain("<key>qty</key>", "an update names its advert by sellerReference only");
    }
}
