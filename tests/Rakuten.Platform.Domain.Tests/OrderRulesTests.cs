using FluentAssertions;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;

namespace Rakuten.Platform.Domain.Tests;

public sealed class OrderRulesTests
{
    private static readonly PostalAddress Tokyo = new("楽天 花子", null, "玉川1-14-1", null, "世田谷区", "東京都", "158-0094", "JP", null);

    private static OrderLine Line(string? manageNumber = "v_mug", string? sku = "MUG-1", decimal price = 1500) =>
        new("1", sku, manageNumber, manageNumber + "-v", sku, "マグ", 1, new Money(price, "JPY"), [], null, null, []);

    private static ChannelOrder Order(PostalAddress? shipTo = null, decimal total = 2000, params OrderLine[] lines) =>
        new(new Buyer("楽天 花子", null, null), shipTo, null, lines.Length > 0 ? lines : [Line()], [], new Money(500, "JPY"), [],
            new Money(0, "JPY"), new Money(0, "JPY"), new Money(total, "JPY"), null, null, false, false, null, DateTimeOffset.UtcNow);

    private static int One(string sku) => 1;

    [Fact]
    public void A_complete_order_of_known_managed_SKUs_is_accepted()
    {
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo), null, One).Should().BeNull();
    }

    [Fact]
    public void An_RMS_order_with_any_unmanaged_line_is_held_whole_with_the_RMS_guidance()
    {
        var hold = OrderRules.Decide(Channel.RakutenJp, Order(Tokyo, 3500, Line(), Line("mug-001")), null, One)!;

        hold.Reason.Should().Be(HoldReason.UnmanagedLine);
        hold.Detail.Should().StartWith("contains items managed in Rakuten — fulfil it in RMS");
        OrderRules.Decide(Channel.RakutenFr, Order(Tokyo, 3500, Line(null)), null, One).Should().BeNull("Rakuten France has no manage numbers");
    }

    [Fact]
    public void Each_other_hold_names_its_reason()
    {
        OrderRules.Decide(Channel.RakutenJp, null, "FormatException: orderNumber is missing", One)!.Reason.Should().Be(HoldReason.MalformedPayload);
        OrderRules.Decide(Channel.RakutenJp, Order(), null, One)!.Reason.Should().Be(HoldReason.MissingShipTo);
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo, total: -9999), null, One)!.Reason.Should().Be(HoldReason.AmountNotDetermined);
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo), null, _ => 0)!.Detail.Should().Contain("SKU MUG-1 ");
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo), null, _ => 2)!.Reason.Should().Be(HoldReason.DuplicateSku);
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo), null, _ => 0)!.Action.Should().Contain("retried when the SKU appears");
    }

    [Fact]
    public void A_released_missing_ship_to_lets_the_order_through_but_releases_nothing_else()
    {
        OrderRules.Decide(Channel.RakutenJp, Order(), null, One, released: HoldReason.MissingShipTo).Should().BeNull();
        OrderRules.Decide(Channel.RakutenJp, Order(), null, _ => 0, released: HoldReason.MissingShipTo)!.Reason.Should().Be(HoldReason.UnknownSku,
            "a released ship-to does not wave through an unknown SKU");
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo), null, _ => 0, released: HoldReason.UnknownSku)!.Reason.Should().Be(HoldReason.UnknownSku,
            "only a missing ship-to can be released");
    }

    [Fact]
    public void Only_a_missing_ship_to_is_released_and_only_holds_handled_on_the_marketplace_are_dismissed()
    {
        Enum.GetValues<HoldReason>().Where(HoldRules.CanRelease).Should().Equal(HoldReason.MissingShipTo);
        Enum.GetValues<HoldReason>().Where(HoldRules.CanDismiss).Should().BeEquivalentTo([HoldReason.UnmanagedLine, HoldReason.MalformedPayload]);
    }
}
