using FluentAssertions;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.BuildingBlocks.Tests;

public sealed class EventTypeMapTests
{
    private sealed record First;

    private sealed record Second;

    [Fact]
    public void A_stored_name_used_by_two_types_is_refused()
    {
        var map = new EventTypeMap();
        map.Register(typeof(First), "thing-happened.v1");

        var act = () => map.Register(typeof(Second), "thing-happened.v1");

        act.Should().Throw<InvalidOperationException>().WithMessage("*thing-happened.v1*First*Second*");
    }

    [Fact]
    public void Unregistered_types_and_names_are_named_in_the_error()
    {
        var map = new EventTypeMap();

        map.Invoking(m => m.NameOf(typeof(First))).Should().Throw<InvalidOperationException>().WithMessage("*First*StoredEvent*");
        map.Invoking(m => m.TypeOf("nope.v1")).Should().Throw<InvalidOperationException>().WithMessage("*nope.v1*");
    }

    [Fact]
    public void Contracts_resolve_by_urn_both_ways()
    {
        var contracts = new ContractTypes([typeof(Channel).Assembly]);

        var urn = contracts.UrnOf(typeof(OrderAccepted));

        urn.Should().Be("urn:message:rakuten-platform:orders:order-accepted:v1");
        contracts.TypeOf(urn).Should().Be(typeof(OrderAccepted));
        contracts.Invoking(c => c.TypeOf("urn:message:unknown:v1")).Should().Throw<InvalidOperationException>();
    }
}

public sealed class ExpiryWarningsTests
{
    private static readonly DateTimeOffset Expiry = new(2027, 2, 20, 14, 59, 59, TimeSpan.Zero);

    [Theory]
    [InlineData(20, null, null)]
    [InlineData(14, null, 14)]
    [InlineData(13, 14, null)]
    [InlineData(7, 14, 7)]
    [InlineData(3, 7, null)]
    [InlineData(0, 7, 0)]
    [InlineData(-5, 0, null)]
    [InlineData(5, null, 7)]
    public void Warnings_come_at_14_and_7_days_and_on_expiry_each_once(int daysLeft, int? lastWarned, int? expected)
    {
        var decision = Rakuten.Platform.Channels.Common.ExpiryWarnings.Decide(Expiry, Expiry.AddDays(-daysLeft), lastWarned);

        decision?.WarningDays.Should().Be(expected);
        if (expected is null)
        {
            decision.Should().BeNull();
        }
        else
        {
            decision!.Health.ToString().Should().Be(expected == 0 ? "Expired" : "ExpiringSoon");
            decision.Detail.Should().Contain("2027-02-20").And.Contain("update the connection");
        }
    }
}
