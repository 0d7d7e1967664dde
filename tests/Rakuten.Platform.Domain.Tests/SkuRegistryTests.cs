using FluentAssertions;
using Rakuten.Platform.Catalog.SyncingProducts;

namespace Rakuten.Platform.Domain.Tests;

public sealed class SkuRegistryTests
{
    private static readonly Guid Shirt = Guid.NewGuid();
    private static readonly Guid Mug = Guid.NewGuid();

    [Fact]
    public void A_SKU_claimed_by_two_variants_is_refused_naming_both_products()
    {
        var conflicts = SkuRegistry.Conflicts([
            new SkuClaim(Guid.NewGuid(), "TS-M", Shirt, "T-shirt"),
            new SkuClaim(Guid.NewGuid(), "TS-M", Mug, "Mug"),
            new SkuClaim(Guid.NewGuid(), "MUG-W", Mug, "Mug"),
        ]);

        var conflict = conflicts.Should().ContainSingle().Subject;
        conflict.Sku.Should().Be("TS-M");
        conflict.Claims.Should().HaveCount(2);
        conflict.Reason.Should().Contain("'Mug'").And.Contain("'T-shirt'").And.Contain("change it on all but one variant");
    }

    [Fact]
    public void The_same_variant_seen_twice_and_unique_SKUs_are_no_conflict()
    {
        var variant = Guid.NewGuid();

        var conflicts = SkuRegistry.Conflicts([
            new SkuClaim(variant, "TS-M", Shirt, "T-shirt"),
            new SkuClaim(variant, "TS-M", Shirt, "T-shirt"),
            new SkuClaim(Guid.NewGuid(), "TS-L", Shirt, "T-shirt"),
        ]);

        conflicts.Should().BeEmpty();
    }

    [Fact]
    public void SKUs_differing_only_in_case_are_different_SKUs()
    {
        SkuRegistry.Conflicts([new SkuClaim(Guid.NewGuid(), "ts-m", Shirt, "T-shirt"), new SkuClaim(Guid.NewGuid(), "TS-M", Mug, "Mug")])
            .Should().BeEmpty();
    }
}
