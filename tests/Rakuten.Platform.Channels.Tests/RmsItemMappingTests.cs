using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Rakuten.Platform.Channels.RakutenJp.PublishingItems;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Channels.RakutenJp.UploadingImages;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.Tests;

public sealed class RmsItemMappingTests
{
    private static readonly Dictionary<string, string> NoImages = [];

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

        var front = product.ImageUrls[0];
        var draft = RmsItemMapping.Map(product, hidden: false, genreId: "100371", new Dictionary<string, string> { [front] = "/shopify/s123.jpg" });

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
        // Only the images that are in R-Cabinet, by their location there.
        item["images"]!.AsArray().Select(i => i!["location"]!.GetValue<string>()).Should().Equal("/shopify/s123.jpg");
        RmsItemMapping.Map(product, hidden: true, "100371", NoImages).Item!["hideItem"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void Shopifys_default_title_option_gives_no_selectors()
    {
        var product = new ProductSnapshot(Guid.NewGuid(), "Mug", null, null, [new ProductOption("Title", ["Default Title"])],
            [Products.Variant("MUG-1", 1200, "Default Title")], []);

        var item = RmsItemMapping.Map(product, false, "100371", NoImages).Item!;

        item["variantSelectors"]!.AsArray().Should().BeEmpty();
        item["variants"]!.AsObject().Single().Value!["selectorValues"].Should().BeNull();
    }

    [Fact]
    public void Over_six_options_or_forty_values_fail_naming_the_rule()
    {
        var seven = Products.Shirt() with { Options = Enumerable.Range(1, 7).Select(i => new ProductOption($"O{i}", ["a"])).ToList() };
        var wide = Products.Shirt() with { Options = [new ProductOption("Size", Enumerable.Range(1, 41).Select(i => $"{i}").ToList())] };

        RmsItemMapping.Map(seven, false, "100371", NoImages).Refusal!.Code.Should().Be("RULE_VARIANT_SELECTORS");
        RmsItemMapping.Map(seven, false, "100371", NoImages).Refusal!.Message.Should().Contain("at most 6 variantSelectors");
        RmsItemMapping.Map(wide, false, "100371", NoImages).Refusal!.Message.Should().Contain("at most 40 values").And.Contain("'Size' has 41");
    }

    [Fact]
    public void A_price_not_in_yen_is_refused_rather_than_converted()
    {
        var euros = Products.Shirt(Products.Variant("SH-1", 49, "S", "White") with { Price = new Money(49, "EUR") });

        RmsItemMapping.Map(euros, false, "100371", NoImages).Refusal!.Code.Should().Be("RULE_CURRENCY");
    }

    [Fact]
    public void A_listing_needs_its_products_and_variants_images_once_and_none_when_adopted_in_place_or_withdrawn()
    {
        var shirt = Products.Shirt();
        var variantImage = shirt.ImageUrls[0];
        var product = shirt with { Variants = [shirt.Variants[0] with { ImageUrl = variantImage }, shirt.Variants[1] with { ImageUrl = "https://cdn.shopify.com/s/files/1/navy.png" }] };

        CabinetImages.Wanted(Products.Request(product)).Should().Equal(shirt.ImageUrls[0], shirt.ImageUrls[1], "https://cdn.shopify.com/s/files/1/navy.png");
        CabinetImages.Wanted(Products.Request(product, ListingAction.Withdraw)).Should().BeEmpty();
        CabinetImages.Wanted(Products.Request(product) with { Adopted = new AdoptedItem("shirt-001", AdoptionMode.InPlace, []) }).Should().BeEmpty();
    }

    [Fact]
    public void Cabinet_file_paths_keep_to_rmss_rules_and_a_new_version_of_an_image_keeps_its_path()
    {
        var path = CabinetImages.FilePath("https://cdn.shopify.com/s/files/1/0001/files/Mug Blue.JPG?v=1700000000");

        path.Should().MatchRegex("^[a-z0-9_-]{1,20}$").And.NotMatchRegex(@"^img\d{8}$").And.NotMatchRegex(@"^imgrc\d{10}$");
        CabinetImages.FilePath("https://cdn.shopify.com/s/files/1/0001/files/Mug Blue.JPG?v=1800000000").Should().Be(path);
        CabinetImages.FilePath("https://cdn.shopify.com/s/files/1/0001/files/Mug Red.JPG").Should().NotBe(path);
        CabinetImages.FileName("https://cdn.shopify.com/s/files/1/0001/files/Mug%20Blue%E3%81%82.JPG?v=1").Should().Be("MugBlue.JPG");
        Encoding.UTF8.GetByteCount(CabinetImages.FileName("https://cdn.shopify.com/" + new string('a', 90) + ".jpg")).Should().BeLessThanOrEqualTo(50);
    }

    [Fact]
    public void Images_are_recognised_by_their_bytes_and_stored_as_jpg_unless_gif()
    {
        CabinetImages.Sniff([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).Should().Be(("jpg", "image/jpeg"));
        CabinetImages.Sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]).Should().Be(("png", "image/png"));
        CabinetImages.Sniff("GIF89a.."u8).Should().Be(("gif", "image/gif"));
        CabinetImages.Sniff("%PDF-1.7"u8).Should().BeNull();
        CabinetImages.Sniff("<svg xmlns"u8).Should().BeNull();

        CabinetImages.Location("shopify", "s0abc", "png").Should().Be("/shopify/s0abc.jpg");
        CabinetImages.Location("/shopify/", "s0abc", "gif").Should().Be("/shopify/s0abc.gif");
    }
}
