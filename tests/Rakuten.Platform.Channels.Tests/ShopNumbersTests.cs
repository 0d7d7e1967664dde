using FluentAssertions;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.Rms;

namespace Rakuten.Platform.Channels.Tests;

public sealed class ShopNumbersTests
{
    [Theory]
    [InlineData("123456-20240101-0000000001", "123456")]
    [InlineData("502763-20171027-00006701", "502763")]
    [InlineData("12345-20240101-1", null)]
    [InlineData("abcdef-20240101-1", null)]
    [InlineData("123456", null)]
    public void The_shop_number_is_the_six_digit_prefix_of_an_order_number(string orderNumber, string? shop) =>
        RmsOrderNumbers.ShopNumberOf(orderNumber).Should().Be(shop);

    [Fact]
    public void A_connection_that_knows_its_shop_refuses_another_shop_s_orders()
    {
        var verdict = ShopNumbers.Decide("123456", ["123456-20240101-1", "999999-20240101-2", "not-a-number"]);

        verdict.Learned.Should().BeNull();
        verdict.Accepted.Should().Equal("123456-20240101-1", "not-a-number");
        verdict.Refused.Should().Equal("999999-20240101-2");
    }

    [Fact]
    public void A_connection_that_does_not_know_its_shop_learns_it_from_the_orders_and_refuses_the_stray_ones()
    {
        var verdict = ShopNumbers.Decide(null, ["445566-20240101-1", "445566-20240102-2", "111111-20240101-3"]);

        verdict.Learned.Should().Be("445566");
        verdict.Accepted.Should().Equal("445566-20240101-1", "445566-20240102-2");
        verdict.Refused.Should().Equal("111111-20240101-3");
        ShopNumbers.Decide(null, []).Learned.Should().BeNull();
    }
}
