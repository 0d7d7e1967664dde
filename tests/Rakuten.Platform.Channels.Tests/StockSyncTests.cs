using FluentAssertions;
using Rakuten.Platform.Channels.Shopify.SyncingStock;

namespace Rakuten.Platform.Channels.Tests;

public sealed class StockSyncTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private static StockLevel Known(int available) =>
        new() { ConnectionId = Guid.NewGuid(), InventoryItemId = "1", LocationId = "2", Available = available, UpdatedAt = At, Version = 3 };

    [Fact]
    public void A_newer_level_is_taken_and_an_older_one_or_a_duplicate_is_not()
    {
        StockSync.Decide(null, 5, At).Should().Be(StockVerdict.Accept);
        StockSync.Decide(Known(5), 4, At.AddSeconds(1)).Should().Be(StockVerdict.Accept);
        StockSync.Decide(Known(5), 9, At.AddSeconds(-1)).Should().Be(StockVerdict.Stale);
        StockSync.Decide(Known(5), 5, At).Should().Be(StockVerdict.Stale);
    }

    [Fact]
    public void Another_quantity_in_the_same_second_cannot_be_ordered_from_the_delivery()
    {
        StockSync.Decide(Known(5), 4, At).Should().Be(StockVerdict.Ambiguous);
    }
}
