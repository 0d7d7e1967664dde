using FluentAssertions;
using Rakuten.Platform.Shipping.ReportingShipments;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>A shipment's decisions and fold, without a database.</summary>
public sealed class ShipmentStreamTests
{
    private static readonly Guid Shipment = Guid.NewGuid();
    private static readonly DateTimeOffset Shipped = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    private static ShipmentWasDispatched Dispatched(long version = 1) =>
        new(Shipment, Guid.NewGuid(), "gid://shopify/Fulfillment/1", "Yamato", ["4912-0000-0001"], [], version, Shipped);

    private static ShipmentState After(params object[] events) => events.Aggregate(ShipmentStream.Start(ShipmentStream.Id(Shipment)), ShipmentStream.Apply);

    [Fact]
    public void A_fulfilment_delivered_when_first_seen_is_dispatched_and_delivered_and_a_refused_one_never_delivers()
    {
        var delivered = Shipped.AddDays(1);
        var dispatched = Dispatched();

        ShipmentStream.Decide(new PlanShipment(dispatched, delivered), After()).Should().Equal(dispatched, new ShipmentWasDelivered(delivered, 1));
        var refused = new ShipmentWasRefused(Shipment, Guid.NewGuid(), "f", "Pigeon", [], [], 1, Shipped, "UNSUPPORTED_CARRIER", "no");
        ShipmentStream.Decide(new PlanShipment(refused, delivered), After()).Should().Equal(refused);
        ShipmentStream.Decide(new ReportFulfillmentAgain(2, delivered), After(refused)).Should().Equal(new FulfillmentVersionSeen(2));
        ShipmentStream.Decide(new PlanShipment(Dispatched(), null), After(Dispatched())).Should().BeEmpty("one shipment per fulfilment");
    }

    [Fact]
    public void An_older_or_repeated_report_changes_nothing_and_a_later_one_brings_the_delivery_once()
    {
        var state = After(Dispatched(3));

        ShipmentStream.Decide(new ReportFulfillmentAgain(3, Shipped), state).Should().BeEmpty();
        ShipmentStream.Decide(new ReportFulfillmentAgain(2, Shipped), state).Should().BeEmpty();
        var delivered = ShipmentStream.Decide(new ReportFulfillmentAgain(4, Shipped.AddDays(2)), state).Single();
        delivered.Should().Be(new ShipmentWasDelivered(Shipped.AddDays(2), 4));
        ShipmentStream.Decide(new ReportFulfillmentAgain(5, Shipped.AddDays(3)), After(Dispatched(3), delivered)).Should().Equal(new FulfillmentVersionSeen(5));
    }

    [Fact]
    public void The_marketplace_confirms_a_dispatched_shipment_and_its_refusal_is_kept_once_per_code()
    {
        ShipmentStream.Decide(new ConfirmShipment(), After(Dispatched())).Should().Equal(new ShipmentWasConfirmed());
        ShipmentStream.Decide(new ConfirmShipment(), After(Dispatched(), new ShipmentWasConfirmed())).Should().BeEmpty();
        var rejected = After(Dispatched(), new ShipmentWasRejected("E-1", "bad number"));
        rejected.Status.Should().Be(ShipmentStatus.Rejected);
        ShipmentStream.Decide(new RejectShipment("E-1", "bad number"), rejected).Should().BeEmpty("the same refusal again");
        ShipmentStream.Decide(new RejectShipment("E-1", "x"), After(Dispatched(), new ShipmentWasDelivered(Shipped, 2))).Should().BeEmpty("a delivered shipment stays delivered");
    }
}
