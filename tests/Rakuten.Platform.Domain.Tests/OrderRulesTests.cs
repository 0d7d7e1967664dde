using FluentAssertions;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;

namespace Rakuten.Platform.Domain.Tests;

public sealed class OrderRulesTests
{
    private static readonly PostalAddress Tokyo = new("楽天 花子", null, "玉川1-14-1", null, "世田谷区", "東京都", "158-0094", "JP", null);

    private static OrderLine Line(string? manageNumber = "v_mug", string? sku = "MUG-1", decimal price = 1500, bool? managed = true) =>
        new("1", sku, manageNumber, manageNumber + "-v", sku, "マグ", 1, new Money(price, "JPY"), [], null, null, [], managed);

    private static ChannelOrder Order(PostalAddress? shipTo = null, decimal total = 2000, bool? determined = true, params OrderLine[] lines) =>
        new(new Buyer("楽天 花子", null, null), shipTo, null, lines.Length > 0 ? lines : [Line()], [], new Money(500, "JPY"), [],
            new Money(0, "JPY"), new Money(0, "JPY"), new Money(total, "JPY"), null, null, false, false, null, DateTimeOffset.UtcNow, determined);

    private static int One(string sku) => 1;

    [Fact]
    public void A_complete_order_of_known_managed_SKUs_is_accepted()
    {
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo), null, One).Should().BeNull();
    }

    [Fact]
    public void An_RMS_order_with_any_unmanaged_line_is_held_whole_with_the_RMS_guidance()
    {
        var hold = OrderRules.Decide(Channel.RakutenJp, Order(Tokyo, 3500, true, Line(), Line("mug-001", managed: false)), null, One)!;

        hold.Reason.Should().Be(HoldReason.UnmanagedLine);
        hold.Detail.Should().StartWith("contains items managed in Rakuten — fulfil it in RMS");
        OrderRules.Decide(Channel.RakutenFr, Order(Tokyo, 3500, true, Line(null)), null, One).Should().BeNull("Rakuten France has no manage numbers");
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo, 3500, true, Line("mug-001")), null, One).Should().BeNull(
            "the adapter's word decides, not the manage number: Orders knows no RMS numbering");
    }

    [Fact]
    public void Each_other_hold_names_its_reason()
    {
        OrderRules.Decide(Channel.RakutenJp, null, "FormatException: orderNumber is missing", One)!.Reason.Should().Be(HoldReason.MalformedPayload);
        OrderRules.Decide(Channel.RakutenJp, Order(), null, One)!.Reason.Should().Be(HoldReason.MissingShipTo);
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo, determined: false), null, One)!.Reason.Should().Be(HoldReason.AmountNotDetermined);
        OrderRules.Decide(Channel.RakutenJp, Order(Tokyo, total: -9999), null, One).Should().BeNull("the adapter states the amounts; Orders reads no -9999");
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

    [Fact]
    public void An_order_stored_before_adapters_stated_their_verdicts_gets_them_from_the_old_RMS_rules()
    {
        var old = Order(Tokyo, -9999, null, Line(managed: null), Line("mug-001", managed: null));

        var upgraded = LegacyChannelOrders.Upgrade(Channel.RakutenJp, old)!;

        upgraded.AmountsDetermined.Should().BeFalse();
        upgraded.Lines.Select(l => l.Managed).Should().Equal(true, false);
        LegacyChannelOrders.Upgrade(Channel.RakutenFr, Order(Tokyo, 2000, null, Line(null, managed: null)))!.Lines.Single().Managed.Should().BeTrue();
        LegacyChannelOrders.Upgrade(Channel.RakutenJp, Order(Tokyo, 2000, true, Line("mug-001", managed: true)))!.Lines.Single().Managed.Should().BeTrue(
            "a stated verdict is never second-guessed");
    }
}
