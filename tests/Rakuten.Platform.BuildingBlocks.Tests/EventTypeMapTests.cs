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
