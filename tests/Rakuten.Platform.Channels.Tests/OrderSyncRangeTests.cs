using FluentAssertions;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;

namespace Rakuten.Platform.Domain.Tests;

/// <summary>What an order sync searches: RMS windows of at most 63 days, one date type by order date, six by any update.</summary>
public sealed class OrderSyncRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Ninety_days_by_order_date_are_two_windows_covering_the_range_without_gap()
    {
        var steps = new OrderSyncRange(Now.AddDays(-90), Now, "created").Steps;

        steps.Should().HaveCount(2);
        steps.Should().OnlyContain(s => s.DateType == 1 && s.To - s.From <= TimeSpan.FromDays(63));
        steps[0].From.Should().Be(Now.AddDays(-90));
        steps[1].From.Should().Be(steps[0].To);
        steps[1].To.Should().Be(Now);
    }

    [Fact]
    public void By_update_each_window_is_searched_by_every_date_RMS_records_and_the_checkpoint_keeps_the_step()
    {
        var range = new OrderSyncRange(Now.AddDays(-90), Now, "updated", Step: 5);

        range.Steps.Select(s => s.DateType).Should().Equal(1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6);
        OrderSyncRange.Parse(range.ToCheckpoint()).Should().Be(range);
    }
}
