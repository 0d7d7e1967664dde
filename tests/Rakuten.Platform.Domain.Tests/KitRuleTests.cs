using FluentAssertions;
using Rakuten.Platform.Contracts.Inventory;
using Rakuten.Platform.Inventory.AllocatingStock;
using Rakuten.Platform.Inventory.Kits;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>Kits (issue 21): listed at the minimum the components allow, and a kit sold holds its components.</summary>
public sealed class KitRuleTests
{
    private static readonly HashSet<string> None = [];

    private static (IEnumerable<(string, int)> Levels, int Reserved, int PerKit) Component(int available, int reserved, int perKit, string location = "L1") =>
        ([(location, available)], reserved, perKit);

    [Fact]
    public void A_kit_is_listed_at_the_whole_kits_its_scarcest_component_allows_less_what_orders_hold()
    {
        KitRules.ChannelQuantity([Component(5, 0, 1), Component(6, 0, 2)], AllocationRule.Default).Should().Be(3);
        KitRules.ChannelQuantity([Component(5, 0, 1), Component(7, 2, 2)], AllocationRule.Default).Should().Be(2, "5 spoons left make 2 kits");
        KitRules.ChannelQuantity([Component(5, 0, 1), Component(1, 0, 2)], AllocationRule.Default).Should().Be(0);
        KitRules.ChannelQuantity([Component(-3, 0, 1), Component(8, 0, 2)], AllocationRule.Default).Should().Be(0, "a negative level counts as none");
    }

    [Fact]
    public void The_connections_rule_applies_to_the_kits_not_to_each_component()
    {
        var rule = new AllocationRule(["L1"], Buffer: 1, MaxQuantity: 2, ZeroBelow: null);
        KitRules.ChannelQuantity([Component(9, 0, 1), Component(9, 0, 1)], rule).Should().Be(2, "9 kits less a buffer of 1, capped at 2");
        KitRules.ChannelQuantity([Component(9, 0, 1), Component(9, 0, 1, location: "L2")], rule).Should().Be(0, "the second component is only where this connection does not sell");
        KitRules.ChannelQuantity([Component(3, 0, 1)], new AllocationRule(null, 0, null, ZeroBelow: 5)).Should().Be(0);
    }

    [Fact]
    public void An_order_line_of_a_kit_holds_its_components_summed_with_the_orders_other_lines()
    {
        var kits = new Dictionary<string, IReadOnlyList<KitComponent>> { ["SET-1"] = [new("MUG-1", 1), new("SPOON-1", 2)] };
        KitRules.Expand([("SET-1", 2), ("SPOON-1", 1), ("PLATE-1", 3)], kits).Should().BeEquivalentTo(new[] { ("MUG-1", 2), ("SPOON-1", 5), ("PLATE-1", 3) });
    }

    [Fact]
    public void A_definition_names_each_wrong_field_and_kits_are_not_made_of_kits()
    {
        var errors = KitRules.Validate("SET-1", [new("SET-1", 1), new("BOX-1", 1), new("MUG-1", 0), new("MUG-1", 2)], new HashSet<string> { "BOX-1" }, None);
        errors.Keys.Should().BeEquivalentTo("components[0].sku", "components[1].sku", "components[2].quantity", "components");
        errors["components[1].sku"].Single().Should().Contain("BOX-1 is a kit");
        KitRules.Validate("MUG-1", [new("CUP-1", 1)], None, new HashSet<string> { "MUG-1" })["sku"].Single().Should().Contain("component of another kit");
        KitRules.Validate("SET-1", [], None, None).Keys.Should().Equal("components");
        KitRules.Validate("SET-1", [new("MUG-1", 1), new("SPOON-1", 2)], None, None).Should().BeEmpty();
    }
}
