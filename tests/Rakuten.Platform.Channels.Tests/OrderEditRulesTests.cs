using FluentAssertions;
using Rakuten.Platform.Channels.Shopify.EditingOrders;

namespace Rakuten.Platform.Channels.Tests;

/// <summary>How the Shopify order of a changed marketplace order is edited (issue 22), as pure functions.</summary>
public sealed class OrderEditRulesTests
{
    private static readonly Dictionary<string, int> Accepted = new() { ["MUG-1"] = 3, ["BOWL-2"] = 1 };

    [Fact]
    public void The_units_wanted_are_the_marketplaces_lines_less_the_units_cancelled_there()
    {
        OrderEditRules.Wanted(Accepted, null, new Dictionary<string, int> { ["MUG-1"] = 1 })
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["MUG-1"] = 2, ["BOWL-2"] = 1 });
        OrderEditRules.Wanted(Accepted, new Dictionary<string, int> { ["MUG-1"] = 1, ["PLATE-3"] = 2 }, new Dictionary<string, int> { ["MUG-1"] = 5 })
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["MUG-1"] = 0, ["PLATE-3"] = 2 }, "new lines replace the accepted ones; never below zero");
    }

    [Fact]
    public void Fewer_units_come_off_the_last_unfulfilled_lines_more_go_on_the_first_and_a_new_sku_is_added()
    {
        var lines = new[]
        {
            new EditableLine("L1", "MUG-1", 2, 2), new EditableLine("L2", "MUG-1", 2, 1), new EditableLine("L3", "KIT-PART", 1, 1),
        };

        var fewer = OrderEditRules.Plan(lines, new Dictionary<string, int> { ["MUG-1"] = 2 });
        fewer.Set.Should().Equal(("L2", 1), ("L1", 1));
        fewer.Add.Should().BeEmpty();
        fewer.Problems.Should().BeEmpty();

        var more = OrderEditRules.Plan(lines, new Dictionary<string, int> { ["MUG-1"] = 5, ["PLATE-3"] = 2 });
        more.Set.Should().Equal(("L1", 3));
        more.Add.Should().Equal(("PLATE-3", 2));

        OrderEditRules.Plan(lines, new Dictionary<string, int> { ["MUG-1"] = 4 }).Changes.Should().BeFalse("the order already has them: an edit applied twice does nothing");
    }

    [Fact]
    public void Units_already_fulfilled_are_not_taken_off_and_the_reason_is_given()
    {
        var plan = OrderEditRules.Plan([new EditableLine("L1", "MUG-1", 3, 1)], new Dictionary<string, int> { ["MUG-1"] = 0 });

        plan.Set.Should().Equal(("L1", 2));
        plan.Problems.Should().ContainSingle().Which.Should().Be("2 unit(s) of SKU MUG-1 are already fulfilled in Shopify and cannot be taken off the order");
    }
}
