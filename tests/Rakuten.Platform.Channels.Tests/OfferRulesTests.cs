using System.Text;
using FluentAssertions;
using Rakuten.Platform.Channels.RakutenFr.ProductPages;
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

    private static readonly ProductTypeTemplate Tshirts = new("mode_tshirt",
    [
        new("product", "titre", "Titre", true, null), new("product", "fabricant", "Marque", true, null),
        new("product", "taille", "Taille", true, ["S", "M", "L"]), new("product", "couleur", "Couleur", false, null),
        new("product", "codebarres", "Code EAN", false, null), new("advert", "comment", "Commentaire", false, null), new("media", "image_url", "Image", true, null),
    ]);

    private static ProductVariant Sized(string sku, string size, string? barcode = null) =>
        Products.Variant(sku, 2000, size) with { Barcode = barcode, Metafields = [new("rakuten.fr_taille", size)] };

    [Fact]
    public void A_SKU_without_offer_of_a_mapped_product_type_gets_a_product_page_with_the_attributes_its_template_asks_for()
    {
        var tee = Products.Shirt(Sized("TEE-S", "S"), Sized("TEE-M", "M", "4901234567894")) with
        {
            Title = "Organic tee", Brand = "Acme", Options = [new ProductOption("Size", ["S", "M"])], ImageUrls = ["https://cdn.shopify.com/s/files/1/tee.jpg"],
        };

        var (lines, refusal) = OfferRules.Plan(Products.Request(tee), new HashSet<string>(), Rates, createOffers: true, Tshirts);

        refusal.Should().BeNull();
        var small = lines.Single(l => l.Sku == "TEE-S");
        small.Creates.Should().BeTrue();
        small.Page!.Alias.Should().Be("mode_tshirt");
        small.Page.Attributes.Select(a => (a.Key, a.Value)).Should().Equal(("titre", "Organic tee - S"), ("fabricant", "Acme"), ("taille", "S"));
        small.Page.ImageUrl.Should().Be("https://cdn.shopify.com/s/files/1/tee.jpg");
        lines.Single(l => l.Sku == "TEE-M").Page!.Attributes.Should().Contain(new KeyValuePair<string, string>("codebarres", "4901234567894"));

        var xml = Encoding.Latin1.GetString(OfferFile.Build(lines));
        xml.Should().Contain("<item><alias>mode_tshirt</alias><attributes><product><attribute><key>titre</key><value><![CDATA[Organic tee - S]]></value>");
        xml.Should().Contain("<media><attribute><key>image_url</key>").And.Contain("<key>qty</key>");
    }

    [Fact]
    public void A_product_page_missing_a_mandatory_attribute_or_with_a_value_off_its_list_is_refused_naming_the_metafield_that_fixes_it()
    {
        var bare = Products.Shirt(Products.Variant("TEE-S", 2000, "S"), Sized("TEE-XXL", "XXL")) with { Brand = null, ImageUrls = [] };

        var refusal = OfferRules.Plan(Products.Request(bare), new HashSet<string>(), Rates, createOffers: true, Tshirts).Refusal!;

        refusal.Code.Should().Be("PRODUCT_PAGE");
        refusal.Message.Should().Contain("SKU TEE-S: fabricant (Marque) has no value: set the variant's metafield rakuten.fr_fabricant in Shopify")
            .And.Contain("taille (Taille) has no value").And.Contain("image_url (Image)")
            .And.Contain("SKU TEE-XXL").And.Contain("taille 'XXL' is not one of S, M, L");
        OfferRules.Plan(Products.Request(bare), new HashSet<string> { "TEE-S", "TEE-XXL" }, Rates, createOffers: true, Tshirts).Refusal
            .Should().BeNull("SKUs that have offers need no page");
        OfferRules.Plan(Products.Request(bare), new HashSet<string>(), Rates, createOffers: true).Refusal!.Message
            .Should().Contain("map the product's type to a Rakuten France product type");
    }

    [Fact]
    public void Product_types_are_chosen_by_Shopify_product_type_or_tag_then_the_connections_default()
    {
        var book = new ProductTypeBook("insolites_produit", [new ProductTypeRule("T-shirts", null, "mode_tshirt"), new ProductTypeRule(null, "mug", "maison_mug")]);
        var shirt = Products.Shirt();

        ProductPage.AliasFor(shirt with { ProductType = "t-shirts" }, book).Should().Be("mode_tshirt");
        ProductPage.AliasFor(shirt with { Tags = ["gift", "Mug"] }, book).Should().Be("maison_mug");
        ProductPage.AliasFor(shirt, book).Should().Be("insolites_produit");
        ProductPage.AliasFor(shirt, book with { DefaultAlias = null }).Should().BeNull("no product page without a product type");
        ProductPage.Validate(new ProductTypeBook("bad alias!", [new ProductTypeRule("T", "t", "x")])).Keys.Should().BeEquivalentTo("defaultAlias", "rules[0]");
    }
}
