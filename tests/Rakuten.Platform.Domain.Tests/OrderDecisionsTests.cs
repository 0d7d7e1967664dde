using FluentAssertions;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>The order's decisions and its fold, as pure functions: a command on a state gives events, events give the state.</summary>
public sealed class OrderDecisionsTests
{
    private static readonly PostalAddress Tokyo = new("楽天 花子", null, "玉川1-14-1", null, "世田谷区", "東京都", "158-0094", "JP", null);

    private static ChannelOrder Order(PostalAddress? shipTo = null, string sku = "MUG-1", int units = 2, bool determined = true) =>
        new(new Buyer("楽天 花子", null, null), shipTo, null,
            [new OrderLine("1", sku, "v_mug", "v_mug-v", sku, "マグ", units, new Money(1500, "JPY"), [], null, null, [], true)],
            [], new Money(500, "JPY"), [], new Money(0, "JPY"), new Money(0, "JPY"), new Money(3500, "JPY"), null, null, false, false, null,
            new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), determined);

    private static readonly Guid Id = Guid.NewGuid();

    private static OrderReceived Received(ChannelOrder? order) => new(Id, Guid.NewGuid(), Channel.RakutenJp, "123456-20261205-0000000001", "100", order, null, Guid.NewGuid());

    private static int Known(string sku) => 1;

    private static OrderState After(params object[] events) => OrderStream.Fold(OrderStream.Id(Id), events);

    [Fact]
    public void A_complete_order_is_received_and_accepted_with_the_units_it_reserves()
    {
        var received = Received(Order(Tokyo));

        var events = OrderDecisions.Decide(new ReceiveOrder(received), OrderStream.Start(OrderStream.Id(Id)), Known);

        events.Should().HaveCount(2);
        events[0].Should().Be(received);
        var accepted = events[1].Should().BeOfType<OrderWasAccepted>().Subject;
        accepted.From.Should().Be(UnifiedOrderStatus.Received);
        accepted.Units.Should().Equal(new SkuQuantity("MUG-1", 2));
        accepted.LeftHold.Should().BeNull();
        After([.. events]).Status.Should().Be(UnifiedOrderStatus.Accepted);
    }

    [Theory]
    [InlineData("500", UnifiedOrderStatus.Shipped)]
    [InlineData("700", UnifiedOrderStatus.Completed)]
    [InlineData("800", UnifiedOrderStatus.CancellationRequested)]
    [InlineData("900", UnifiedOrderStatus.Cancelled)]
    public void An_order_first_seen_already_shipped_paid_or_cancelled_is_history_reserving_nothing_even_with_an_unknown_SKU(string progress, UnifiedOrderStatus status)
    {
        var received = Received(Order(Tokyo, sku: "GONE-1")) with { ChannelStatus = progress };

        var events = OrderDecisions.Decide(new ReceiveOrder(received), OrderStream.Start(OrderStream.Id(Id)), _ => 0);

        events.Should().Equal(received, new OrderStatusWasChanged(UnifiedOrderStatus.Received, status, progress));
        After([.. events]).Hold.Should().BeNull("history is not held, whatever its SKUs");
        OrderDecisions.Decide(new Reevaluate(), After([.. events]), Known).Should().BeEmpty("history is never accepted later");
    }

    [Theory]
    [InlineData("200")]
    [InlineData("300")]
    [InlineData("400")]
    public void An_order_first_seen_confirmed_but_not_shipped_is_live_and_accepted(string progress)
    {
        var events = OrderDecisions.Decide(new ReceiveOrder(Received(Order(Tokyo)) with { ChannelStatus = progress }), OrderStream.Start(OrderStream.Id(Id)), Known);

        events[1].Should().BeOfType<OrderWasAccepted>();
    }

    [Fact]
    public void A_held_order_is_not_held_again_for_the_same_reason_and_goes_through_once_the_SKU_is_known()
    {
        var received = Received(Order(Tokyo, sku: "BOWL-9"));
        var held = OrderDecisions.Decide(new ReceiveOrder(received), OrderStream.Start(OrderStream.Id(Id)), _ => 0);
        var state = After([.. held]);

        state.Hold!.Reason.Should().Be(HoldReason.UnknownSku);
        OrderDecisions.Decide(new Reevaluate(), state, _ => 0).Should().BeEmpty("nothing new to say");
        var accepted = OrderDecisions.Decide(new Reevaluate(), state, Known).Single().Should().BeOfType<OrderWasAccepted>().Subject;
        accepted.From.Should().Be(UnifiedOrderStatus.Held);
        accepted.LeftHold.Should().Be(HoldReason.UnknownSku);
        OrderDecisions.Decide(new Reevaluate(), After([.. held, accepted]), Known).Should().BeEmpty("an accepted order is not accepted twice");
    }

    [Fact]
    public void New_content_is_decided_again_only_for_a_hold_the_content_caused()
    {
        var noAddress = After(Received(Order()), new OrderWasHeld(HoldReason.MissingShipTo, "no ship-to", "ask"));

        var events = OrderDecisions.Decide(new ChangeContent(Order(Tokyo), null), noAddress, Known);

        events.Select(e => e.GetType()).Should().Equal(typeof(OrderContentChanged), typeof(OrderWasAccepted));
        OrderDecisions.Decide(new ChangeContent(Order(), null), noAddress, Known).Should().BeEmpty("the same content changes nothing");
        var unknown = After(Received(Order(Tokyo, sku: "X")), new OrderWasHeld(HoldReason.UnknownSku, "SKU X ", "add it"));
        OrderDecisions.Decide(new ChangeContent(Order(Tokyo, sku: "Y"), null), unknown, Known).Should().BeEmpty("an SKU hold waits for the catalog");
        OrderDecisions.Decide(new ChangeContent(Order(null, units: 2), null), After(Received(Order(Tokyo)), new OrderWasAccepted()), Known)
            .Should().BeEmpty("an accepted order keeps what it was accepted with, its lines aside");
    }

    [Fact]
    public void An_accepted_order_whose_lines_change_before_shipping_takes_them_and_says_what_changed()
    {
        var accepted = After(Received(Order(Tokyo)), new OrderWasAccepted());

        var events = OrderDecisions.Decide(new ChangeContent(Order(Tokyo, units: 3), null), accepted, Known);

        events.Select(e => e.GetType()).Should().Equal(typeof(OrderContentChanged), typeof(OrderLinesWereChanged));
        var changed = (OrderLinesWereChanged)events[1];
        changed.Before.Should().Equal(new SkuQuantity("MUG-1", 2));
        changed.After.Should().Equal(new SkuQuantity("MUG-1", 3));
        OrderDecisions.Decide(new ChangeContent(Order(Tokyo, units: 3), null), After([.. new object[] { Received(Order(Tokyo)), new OrderWasAccepted() }, .. events]), Known)
            .Should().BeEmpty("the same lines again change nothing");
        var shipped = After(Received(Order(Tokyo)), new OrderWasAccepted(), new OrderStatusWasChanged(UnifiedOrderStatus.Accepted, UnifiedOrderStatus.Shipped, "500"));
        OrderDecisions.Decide(new ChangeContent(Order(Tokyo, units: 3), null), shipped, Known).Should().BeEmpty("a shipped order is not changed");
    }

    [Fact]
    public void Only_a_missing_ship_to_is_released_and_only_a_marketplace_hold_is_dismissed_once()
    {
        var noAddress = After(Received(Order()), new OrderWasHeld(HoldReason.MissingShipTo, "no ship-to", "ask"));
        OrderDecisions.Decide(new ReleaseHold(), noAddress, Known).Select(e => e.GetType()).Should().Equal(typeof(OrderHoldWasReleased), typeof(OrderWasAccepted));
        OrderDecisions.Decide(new DismissHold("handled"), noAddress, Known).Should().BeEmpty();

        var unmanaged = After(Received(Order(Tokyo)), new OrderWasHeld(HoldReason.UnmanagedLine, "RMS", "fulfil in RMS"));
        OrderDecisions.Decide(new ReleaseHold(), unmanaged, Known).Should().BeEmpty();
        var dismissed = OrderDecisions.Decide(new DismissHold("  done in RMS "), unmanaged, Known).Single().Should().BeOfType<OrderHoldWasDismissed>().Subject;
        dismissed.Note.Should().Be("done in RMS");
        OrderDecisions.Decide(new DismissHold(null), After(Received(Order(Tokyo)), new OrderWasHeld(HoldReason.UnmanagedLine, "RMS", "a"), dismissed), Known)
            .Should().BeEmpty("already dismissed");
    }

    [Fact]
    public void A_Shopify_refusal_holds_the_order_and_a_retry_accepts_it_again_for_the_adapter_to_try_once_more()
    {
        var accepted = After(Received(Order(Tokyo)), new OrderWasAccepted());
        var refused = OrderDecisions.Decide(new RecordShopifyRefusal("Shopify refused", "correct it"), accepted, Known).Single();
        var held = OrderStream.Apply(accepted, refused);

        held.Hold.Should().Be(new Hold(HoldReason.ShopifyRefused, "Shopify refused", "correct it"));
        OrderDecisions.Decide(new RecordShopifyRefusal("Shopify refused", "correct it"), held, Known).Should().BeEmpty("the same refusal again says nothing new");
        OrderDecisions.Decide(new Reevaluate(), held, Known).Single().Should().BeOfType<OrderWasAccepted>().Which.LeftHold.Should().Be(HoldReason.ShopifyRefused);
        OrderDecisions.Decide(new RecordExport("gid://shopify/Order/1", "#1001"), held, Known).Should().ContainSingle();
        OrderDecisions.Decide(new RecordExport("gid://shopify/Order/2", "#1002"), OrderStream.Apply(held, new OrderWasExported("gid://shopify/Order/1", "#1001")), Known)
            .Should().BeEmpty("Shopify's order is recorded once");
    }

    [Fact]
    public void The_fold_follows_status_moves_and_a_hold_dismissed_stays_dismissed_only_for_its_reason()
    {
        var state = After(
            Received(Order(Tokyo)),
            new OrderWasHeld(HoldReason.UnmanagedLine, "RMS", "a"),
            new OrderHoldWasDismissed(HoldReason.UnmanagedLine, null));
        state.HoldDismissed.Should().BeTrue();
        OrderStream.Apply(state, new OrderWasHeld(HoldReason.UnmanagedLine, "RMS again", "a")).HoldDismissed.Should().BeTrue();
        OrderStream.Apply(state, new OrderWasHeld(HoldReason.UnknownSku, "SKU", "a")).HoldDismissed.Should().BeFalse("a new reason is a new hold");

        var moved = After(Received(Order(Tokyo)), new OrderWasAccepted(), new OrderStatusWasChanged(UnifiedOrderStatus.Accepted, UnifiedOrderStatus.Shipped, "500"));
        moved.Status.Should().Be(UnifiedOrderStatus.Shipped);
        moved.ChannelStatus.Should().Be("500");
        OrderStream.Apply(moved, new OrderCancellationWasRefused("E", "no")).Should().Be(moved, "an event the aggregate does not track leaves it as it is");
    }
}
