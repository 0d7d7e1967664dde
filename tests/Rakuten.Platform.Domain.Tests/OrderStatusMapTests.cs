using FluentAssertions;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.TrackingStatus;
using static Rakuten.Platform.Contracts.Orders.UnifiedOrderStatus;

namespace Rakuten.Platform.Domain.Tests;

public sealed class OrderStatusMapTests
{
    [Theory]
    [InlineData("100", Received)]
    [InlineData("200", Accepted)]
    [InlineData("300", Accepted)]
    [InlineData("400", Accepted)]
    [InlineData("500", Shipped)]
    [InlineData("600", Completed)]
    [InlineData("700", Completed)]
    [InlineData("800", CancellationRequested)]
    [InlineData("900", Cancelled)]
    public void Every_RMS_order_progress_has_its_unified_status(string progress, UnifiedOrderStatus expected) =>
        OrderStatusMap.FromChannel(Channel.RakutenJp, progress).Should().Be(expected);

    [Theory]
    [InlineData("TO_CONFIRM", Received)]
    [InlineData("ACCEPTED", Accepted)]
    [InlineData("PARTIALLY_CANCELLED", Accepted)]
    [InlineData("PARTIALLY_SHIPPED", PartiallyShipped)]
    [InlineData("SHIPPED", Shipped)]
    [InlineData("CANCELLED", Cancelled)]
    [InlineData("REFUSED", Cancelled)]
    public void Every_Rakuten_France_sale_status_has_its_unified_status(string status, UnifiedOrderStatus expected) =>
        OrderStatusMap.FromChannel(Channel.RakutenFr, status).Should().Be(expected);

    [Fact]
    public void An_unknown_channel_status_maps_to_nothing()
    {
        OrderStatusMap.FromChannel(Channel.RakutenJp, "450").Should().BeNull();
        OrderStatusMap.FromChannel(Channel.RakutenFr, "LOST").Should().BeNull();
    }

    [Theory]
    [InlineData(Accepted, Shipped, Shipped)]
    [InlineData(Accepted, PartiallyShipped, PartiallyShipped)]
    [InlineData(PartiallyShipped, Shipped, Shipped)]
    [InlineData(Shipped, Completed, Completed)]
    [InlineData(Delivered, Completed, Completed)]
    [InlineData(Accepted, CancellationRequested, CancellationRequested)]
    [InlineData(Held, Cancelled, Cancelled)]
    [InlineData(Shipped, Cancelled, Cancelled)]
    [InlineData(CancellationRequested, Shipped, Shipped)]
    public void The_channel_moves_an_order_forward_or_cancels_it(UnifiedOrderStatus current, UnifiedOrderStatus reported, UnifiedOrderStatus expected) =>
        OrderStatusMap.Next(current, reported).Should().Be(expected);

    [Theory]
    [InlineData(Received, Accepted)]
    [InlineData(Held, Accepted)]
    [InlineData(Held, Shipped)]
    [InlineData(Shipped, Accepted)]
    [InlineData(Delivered, Shipped)]
    [InlineData(Completed, Shipped)]
    [InlineData(Cancelled, Shipped)]
    [InlineData(Cancelled, Cancelled)]
    [InlineData(Accepted, Received)]
    public void Accepting_is_the_platforms_decision_nothing_moves_back_and_Cancelled_is_final(UnifiedOrderStatus current, UnifiedOrderStatus reported) =>
        OrderStatusMap.Next(current, reported).Should().BeNull();

    [Fact]
    public void Only_an_order_not_yet_shipped_can_be_cancelled_by_the_merchant()
    {
        Enum.GetValues<UnifiedOrderStatus>().Where(OrderStatusMap.Cancellable).Should().BeEquivalentTo([Received, Held, Accepted]);
    }
}
