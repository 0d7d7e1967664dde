using FluentAssertions;
using Rakuten.Platform.Catalog.Onboarding;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>The onboarding match (issue 21): one item ↔ one product with exactly the same keys, or a conflict saying why.</summary>
public sealed class OnboardingMatchTests
{
    private static readonly Guid Tee = Guid.NewGuid();
    private static readonly Guid Mug = Guid.NewGuid();

    private static readonly CatalogVariant[] Catalog =
    [
        new(Tee, "Tee", "S", "TEE-S", "4901234567894"),
        new(Tee, "Tee", "M", "TEE-M", "4901234567895"),
        new(Mug, "Mug", "Default", "MUG-1", "012345678905"),
    ];

    private static ExistingChannelItem Item(string id, params (string Variant, string? Sku, string? Barcode)[] skus) =>
        new(id, id, false, skus.Select(s => new ExistingChannelSku(s.Variant, s.Sku, s.Barcode, [])).ToList());

    private static OnboardingEntry Entry(IReadOnlyList<OnboardingEntry> entries, string item) => entries.Single(e => e.ItemId == item);

    [Fact]
    public void An_item_with_exactly_the_products_SKUs_matches_and_names_each_variant_id()
    {
        var entries = OnboardingMatch.Match(Catalog, [Item("tee", ("s", "TEE-S", null), ("m", "TEE-M", null))], MatchKey.Sku, "RMS");

        var tee = Entry(entries, "tee");
        tee.Kind.Should().Be(MatchKind.Matched);
        tee.ProductIds.Should().Equal(Tee);
        tee.VariantIds.Should().BeEquivalentTo(new Dictionary<string, string> { ["TEE-S"] = "s", ["TEE-M"] = "m" });
        entries.Single(e => e.Kind == MatchKind.UnmatchedInShopify).ProductIds.Should().Equal(Mug);
    }

    [Fact]
    public void Differing_variants_one_SKU_on_two_items_and_an_item_spread_over_two_products_are_conflicts_with_their_reason()
    {
        var partial = OnboardingMatch.Match(Catalog, [Item("tee", ("s", "TEE-S", null))], MatchKey.Sku, "RMS");
        Entry(partial, "tee").Kind.Should().Be(MatchKind.Conflict);
        Entry(partial, "tee").Reason.Should().Contain("only in Shopify: TEE-M");

        var twice = OnboardingMatch.Match(Catalog, [Item("a", ("x", "MUG-1", null)), Item("b", ("y", "MUG-1", null))], MatchKey.Sku, "RMS");
        twice.Where(e => e.ItemId is not null).Should().OnlyContain(e => e.Kind == MatchKind.Conflict && e.Reason.Contains("SKU MUG-1 is on 2 items (a, b)"));

        var spread = OnboardingMatch.Match(Catalog, [Item("mix", ("s", "TEE-S", null), ("m", "TEE-M", null), ("u", "MUG-1", null))], MatchKey.Sku, "RMS");
        Entry(spread, "mix").Reason.Should().Contain("belong to 2 Shopify products");
        spread.Should().NotContain(e => e.Kind == MatchKind.UnmatchedInShopify, "the products are in the conflict, not unmatched");
    }

    [Fact]
    public void Items_without_keys_or_with_unknown_keys_are_unmatched_on_the_channel_and_two_whole_copies_of_a_product_conflict()
    {
        var entries = OnboardingMatch.Match(Catalog,
            [Item("bare", ("v", null, null)), Item("old", ("v", "OLD-1", null)), Item("mug-1", ("v", "MUG-1", null)), Item("mug-2", ("v", " MUG-1", null))], MatchKey.Sku, "RMS");

        Entry(entries, "bare").Kind.Should().Be(MatchKind.UnmatchedOnChannel);
        Entry(entries, "bare").Reason.Should().Contain("no SKU");
        Entry(entries, "old").Reason.Should().Contain("OLD-1");
        // " MUG-1" is MUG-1 once trimmed: the same SKU on two items.
        Entry(entries, "mug-1").Kind.Should().Be(MatchKind.Conflict);
    }

    [Fact]
    public void The_barcode_key_matches_a_UPC_12_to_its_EAN_13()
    {
        var entries = OnboardingMatch.Match(Catalog, [Item("mug", ("v", "OTHER", "0012345678905"))], MatchKey.Barcode, "Rakuten France");

        Entry(entries, "mug").Kind.Should().Be(MatchKind.Matched);
        Entry(entries, "mug").VariantIds.Should().BeEquivalentTo(new Dictionary<string, string> { ["MUG-1"] = "v" });
    }

    [Fact]
    public void A_match_becomes_a_block_an_adoption_or_nothing_per_channel_and_decision()
    {
        var match = new ProductMatch
        {
            ConnectionId = Guid.NewGuid(), ProductId = Tee, TenantId = Guid.NewGuid(), Kind = nameof(MatchKind.Matched), ItemId = "tee", Reason = "",
            VariantIds = """{"TEE-S":"s"}""",
        };

        OnboardingMatches.Verdict("RakutenJp", match, null).Code.Should().Be(OnboardingMatches.ExistingItem);
        OnboardingMatches.Verdict("RakutenFr", match, null).Should().Be(((string?)null, (string?)null, (AdoptedItem?)null), "an offer matched by SKU is what Rakuten France publishing always meant");
        OnboardingMatches.Verdict("RakutenJp", match, ItemDecisions.LeaveAlone).Code.Should().Be(OnboardingMatches.LeftAlone);
        var adopted = OnboardingMatches.Verdict("RakutenJp", match, ItemDecisions.Adopt).Adopted!;
        (adopted.ItemId, adopted.Mode, adopted.VariantIdOf("TEE-S")).Should().Be(("tee", AdoptionMode.InPlace, "s"));
        OnboardingMatches.Verdict("RakutenJp", match, ItemDecisions.Move).Adopted!.Mode.Should().Be(AdoptionMode.Move);
        match.Kind = nameof(MatchKind.Conflict);
        OnboardingMatches.Verdict("RakutenJp", match, ItemDecisions.Adopt).Code.Should().Be(OnboardingMatches.ItemConflict);

        var left = ListingRules.Reconcile(ListingIntent.Listed, false, "left alone", everLive: false, OnboardingMatches.LeftAlone);
        (left.Request, left.State).Should().Be(((ListingAction?)null, ListingState.LeftAlone));
    }

    [Fact]
    public void A_variant_without_a_SKU_blocks_the_product_naming_the_variant_and_the_fix()
    {
        var product = new ProductSnapshot(Guid.NewGuid(), "Tee", null, null, [], [
            new ProductVariant(Guid.NewGuid(), "1", "TEE-S", "S", [], new Money(1000, "JPY"), null, null, null, null),
            new ProductVariant(Guid.NewGuid(), "2", " ", "M", [], new Money(1000, "JPY"), null, null, null, null),
        ], []);

        ListingRules.WithoutSku(product).Should().Contain("Variant 'M' of 'Tee' has no SKU").And.Contain("Give it a SKU in Shopify");
        ListingRules.WithoutSku(product with { Variants = [product.Variants[0]] }).Should().BeNull();
    }

    [Fact]
    public void The_metafield_key_matches_the_marketplaces_SKU_held_in_a_Shopify_metafield_and_adopts_for_the_Shopify_SKU()
    {
        CatalogVariant[] catalog =
        [
            new(Tee, "Tee", "S", "TEE-S", null, "rms-tee-small"),
            new(Tee, "Tee", "M", "TEE-M", null, "rms-tee-medium"),
            new(Mug, "Mug", "Default", "MUG-1", null, null),
        ];

        var entries = OnboardingMatch.Match(catalog, [Item("tee", ("s", "rms-tee-small", null), ("m", "rms-tee-medium", null)), Item("mug", ("v", "MUG-1", null))],
            MatchKey.Metafield, "RMS", "rakuten.jp_sku");

        Entry(entries, "tee").Kind.Should().Be(MatchKind.Matched);
        Entry(entries, "tee").VariantIds.Should().BeEquivalentTo(new Dictionary<string, string> { ["TEE-S"] = "s", ["TEE-M"] = "m" }, "adopted for the Shopify SKUs");
        Entry(entries, "mug").Kind.Should().Be(MatchKind.UnmatchedOnChannel, "the same SKU on both sides is no match when the key is the metafield");
        entries.Single(e => e.Kind == MatchKind.UnmatchedInShopify).Reason.Should().Contain("SKU (Shopify metafield rakuten.jp_sku)");
    }

    [Theory]
    [InlineData("metafield", "rakuten.jp_sku", null)]
    [InlineData("metafield", null, "rakuten.{key}")]
    [InlineData("metafield", "custom.jp_sku", "namespace rakuten")]
    [InlineData("metafield", "rakuten.", "rakuten.{key}")]
    [InlineData("metafield", "rakuten.jp sku", "a-z A-Z 0-9")]
    [InlineData("sku", "rakuten.jp_sku", "only with matchKey metafield")]
    [InlineData("barcode", null, null)]
    public void A_match_metafield_is_a_rakuten_namespace_key_and_given_only_with_the_metafield_key(string key, string? metafield, string? problem)
    {
        var found = OnboardingMatch.MetafieldProblem(Enum.Parse<MatchKey>(key, true), metafield);

        if (problem is null) found.Should().BeNull();
        else found.Should().Contain(problem);
    }

    [Fact]
    public void A_webhooks_snapshot_without_metafields_keeps_those_the_import_read()
    {
        ProductVariant Variant(Guid id, IReadOnlyList<VariantMetafield>? metafields) =>
            new(id, "1", "TEE-S", "S", [], new Money(1000, "JPY"), null, null, null, null, metafields);
        var (small, medium) = (Guid.NewGuid(), Guid.NewGuid());
        var imported = new ProductSnapshot(Tee, "Tee", null, null, [], [Variant(small, [new("rakuten.jp_sku", "rms-s")]), Variant(medium, [])], []);
        imported = imported with { Collections = ["summer-sale"] };
        var webhook = imported with { Title = "Tee (new)", Collections = null, Variants = [Variant(small, null), Variant(medium, null), Variant(Guid.NewGuid(), null)] };

        var kept = Rakuten.Platform.Catalog.SyncingProducts.ProductSyncedConsumer.KeepMetafields(webhook, imported);

        kept.Title.Should().Be("Tee (new)");
        kept.Collections.Should().Equal("summer-sale");
        kept.Variants[0].Metafields.Should().Equal(new VariantMetafield("rakuten.jp_sku", "rms-s"));
        kept.Variants[1].Metafields.Should().BeEmpty();
        kept.Variants[2].Metafields.Should().BeNull("a new variant has none known yet");
        var reimported = imported with { Variants = [Variant(small, [])] };
        Rakuten.Platform.Catalog.SyncingProducts.ProductSyncedConsumer.KeepMetafields(reimported, imported).Variants[0].Metafields.Should().BeEmpty("an import's own values win, even none");
    }
}
