using FluentAssertions;
using Rakuten.Platform.Inventory.AllocatingStock;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>An order's reservation (Inventory service): its messages arrive in any order, and the units held must not depend on it.</summary>
public sealed class ReservationLedgerTests
{
    private static readonly (string, int)[] Order = [("cup", 3), ("bowl", 1), ("cup", 1)];

    [Fact]
    public void Accepted_lines_are_held_per_sku_and_a_cancellation_gives_its_units_back()
    {
        var accepted = ReservationLedger.Empty.Apply(ReservationStep.Accept, Order);
        accepted.Held().Should().BeEquivalentTo(new Dictionary<string, int> { ["cup"] = 4, ["bowl"] = 1 });

        accepted.Apply(ReservationStep.Cancel, [("cup", 1)]).Held().Should().BeEquivalentTo(new Dictionary<string, int> { ["cup"] = 3, ["bowl"] = 1 });
        accepted.Apply(ReservationStep.Cancel, [("cup", 4), ("bowl", 1)]).Held().Should().BeEmpty();
        accepted.Apply(ReservationStep.End, []).Held().Should().BeEmpty();
    }

    [Fact]
    public void An_accept_arriving_after_the_end_or_after_a_cancellation_holds_only_what_is_left()
    {
        ReservationLedger.Empty.Apply(ReservationStep.End, []).Apply(ReservationStep.Accept, Order).Held().Should().BeEmpty(
            "Shopify already has the order: an OrderAccepted that queued behind OrderExported must not hold its units for ever");
        ReservationLedger.Empty.Apply(ReservationStep.Cancel, [("cup", 2)]).Apply(ReservationStep.Accept, Order).Held()
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["cup"] = 2, ["bowl"] = 1 });
    }

    [Fact]
    public void A_change_of_lines_holds_more_or_fewer_units_and_a_new_sku_whichever_arrives_first()
    {
        var change = new[] { ("cup", -2), ("plate", 2) };
        var expected = new Dictionary<string, int> { ["cup"] = 2, ["bowl"] = 1, ["plate"] = 2 };

        ReservationLedger.Empty.Apply(ReservationStep.Accept, Order).Apply(ReservationStep.Change, change).Held().Should().BeEquivalentTo(expected);
        ReservationLedger.Empty.Apply(ReservationStep.Change, change).Apply(ReservationStep.Accept, Order).Held().Should().BeEquivalentTo(expected);
        ReservationLedger.Empty.Apply(ReservationStep.Accept, Order).Apply(ReservationStep.Change, change).Apply(ReservationStep.End, []).Held()
            .Should().BeEmpty("once Shopify has the order its own stock counts it");
    }

    [Fact]
    public void The_same_accept_again_holds_nothing_more()
    {
        var once = ReservationLedger.Empty.Apply(ReservationStep.Accept, Order);
        once.Apply(ReservationStep.Accept, Order).Held().Should().BeEquivalentTo(once.Held());
    }

    [Fact]
    public void Every_order_of_arrival_ends_with_the_same_units_held()
    {
        (ReservationStep Step, (string, int)[] Lines)[] steps =
            [(ReservationStep.Accept, Order), (ReservationStep.Cancel, [("cup", 1)]), (ReservationStep.Cancel, [("bowl", 1)])];
        var expected = new Dictionary<string, int> { ["cup"] = 3 };
        foreach (var permutation in Permutations(steps))
        {
            permutation.Aggregate(ReservationLedger.Empty, (l, s) => l.Apply(s.Step, s.Lines)).Held().Should().BeEquivalentTo(expected);
        }

        foreach (var permutation in Permutations([.. steps, (ReservationStep.End, [])]))
        {
            permutation.Aggregate(ReservationLedger.Empty, (l, s) => l.Apply(s.Step, s.Lines)).Held().Should().BeEmpty();
        }
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1 ? [items] : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToArray()).Select(rest => (T[])[item, .. rest]));
}
