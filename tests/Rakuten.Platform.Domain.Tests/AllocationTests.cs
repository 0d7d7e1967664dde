using FluentAssertions;
using Rakuten.Platform.Inventory.AllocatingStock;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>The channel quantity rule (Inventory service), as a pure function.</summary>
public sealed class AllocationTests
{
    private static readonly (string, int)[] Levels = [("tokyo", 5), ("osaka", 7), ("paris", 3)];

    [Fact]
    public void Every_location_counts_by_default_minus_reserved_units()
    {
        Allocation.ChannelQuantity(Levels, reserved: 0, AllocationRule.Default).Should().Be(15);
        Allocation.ChannelQuantity(Levels, reserved: 4, AllocationRule.Default).Should().Be(11);
    }

    [Fact]
    public void Only_mapped_locations_feed_a_channel_and_the_buffer_is_kept_back_never_below_zero()
    {
        var japan = new AllocationRule(["tokyo", "osaka"], Buffer: 2, MaxQuantity: null, ZeroBelow: null);

        Allocation.ChannelQuantity(Levels, 0, japan).Should().Be(10);
        Allocation.ChannelQuantity(Levels, 11, japan).Should().Be(0);
        Allocation.ChannelQuantity([("tokyo", -3), ("osaka", 2)], 0, AllocationRule.Default).Should().Be(2, "a negative level (oversold in Shopify) counts as none");
    }

    [Fact]
    public void The_cap_and_the_zero_below_threshold_apply_after_the_buffer()
    {
        Allocation.ChannelQuantity(Levels, 0, new AllocationRule(null, 0, MaxQuantity: 4, ZeroBelow: null)).Should().Be(4);
        Allocation.ChannelQuantity(Levels, 0, new AllocationRule(["paris"], 0, null, ZeroBelow: 5)).Should().Be(0);
        Allocation.ChannelQuantity(Levels, 0, new AllocationRule(["paris"], 0, null, ZeroBelow: 3)).Should().Be(3);
        Allocation.ChannelQuantity([("tokyo", 250_000)], 0, AllocationRule.Default).Should().Be(99_999, "Rakuten takes at most 99,999");
    }

    [Fact]
    public void A_rule_with_a_bad_field_is_named()
    {
        new AllocationRule([], -1, -2, -3).Problems().Should().BeEquivalentTo(
            "buffer must be 0 or more", "maxQuantity must be 0 or more (or null for no cap)", "zeroBelow must be 0 or more (or null)",
            "locations must name at least one location (or be null for all)");
    }
}
