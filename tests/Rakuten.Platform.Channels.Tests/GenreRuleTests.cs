using FluentAssertions;
using Rakuten.Platform.Channels.RakutenJp.Genres;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>The RMS genre per product (issue 21): rules by Shopify product type or tag, in order, then the connection's default.</summary>
public sealed class GenreRuleTests
{
    private static ProductSnapshot Product(string? type, params string[] tags) => new(Guid.NewGuid(), "P", null, null, [], [], [], type, tags);

    private static readonly GenreBook Book = new("200000", [new GenreRule("Mugs", null, "215783"), new GenreRule(null, "linen", "303656"), new GenreRule("Shirts", null, "100371")]);

    [Fact]
    public void The_first_rule_the_product_meets_chooses_its_genre_else_the_connections_default_else_the_deployments()
    {
        GenreRules.Choose(Product("mugs"), Book, "100000").Should().Be(("215783", "product type Mugs"));
        GenreRules.Choose(Product("Shirts", "Linen"), Book, "100000").Should().Be(("303656", "tag linen"), "the tag rule comes first");
        GenreRules.Choose(Product("Shirts"), Book, "100000").GenreId.Should().Be("100371");
        GenreRules.Choose(Product(null), Book, "100000").Should().Be(("200000", "the connection's default"));
        GenreRules.Choose(Product(null), new GenreBook(null, []), "100000").GenreId.Should().Be("100000");
    }

    [Fact]
    public void A_mapping_is_checked_field_by_field()
    {
        var errors = GenreRules.Validate(new GenreBook("01234", [new GenreRule("Mugs", "x", "215783"), new GenreRule(null, "y", "2157")]));
        errors.Keys.Should().BeEquivalentTo("defaultGenreId", "rules[0]", "rules[1].genreId");
        GenreRules.Validate(Book).Should().BeEmpty();
    }

    [Fact]
    public void A_collection_rule_and_a_genre_metafield_choose_the_genre_and_a_metafield_that_is_no_genre_says_so()
    {
        var book = Book with { Rules = [new GenreRule(null, null, "401234", Collection: "summer-sale"), .. Book.Rules] };
        var mug = Product("Mugs") with { Collections = ["Summer-Sale"] };

        GenreRules.Choose(mug, book, "100000").Should().Be(("401234", "collection summer-sale"));
        GenreRules.Choose(mug with { Collections = null }, book, "100000").GenreId.Should().Be("215783");

        ProductVariant Variant(string genre) => new(Guid.NewGuid(), "1", "MUG-1", "M", [], new Rakuten.Platform.Contracts.Money(1000, "JPY"), null, null, null, null,
            [new VariantMetafield("rakuten.jp_genre", genre)]);
        var given = mug with { Variants = [Variant("558885")] };
        GenreRules.Choose(given, book, "100000").Should().Be(("558885", "metafield rakuten.jp_genre"));
        GenreRules.MetafieldProblem(given).Should().BeNull();
        var wrong = mug with { Variants = [Variant("55888")] };
        GenreRules.MetafieldProblem(wrong).Should().Contain("'55888', not an RMS genre id");
        GenreRules.Validate(new GenreBook(null, [new GenreRule("Mugs", null, "215783", "summer")])).Keys.Should().Equal("rules[0]");
    }
}
