using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>The orders waiting on the merchant, by hold reason (every reason reported, 0 included, so an alert sees a
/// reason come and go), and how long the oldest of each has waited since the order last changed. Dismissed holds —
/// handled outside the platform — are not waiting.</summary>
public sealed class HoldsProbe(TimeProvider clock) : IStateProbe
{
    public IReadOnlyList<(string Metric, string Unit, string Description)> Metrics { get; } =
    [
        ("platform.orders.held", "{order}", "Orders held, by hold reason."),
        ("platform.orders.held.oldest_age", "s", "How long the oldest held order of each reason has waited."),
    ];

    public async Task<IReadOnlyList<GaugeSample>> SampleAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<OrdersDbContext>();
        // Grouped here, not in SQL: SQLite (embedded mode) cannot aggregate a DateTimeOffset, and held orders are few.
        var held = (await db.Orders.AsNoTracking()
                .Where(o => o.Status == UnifiedOrderStatus.Held && o.HoldReason != null && o.HoldDismissedAt == null)
                .Select(o => new { Reason = o.HoldReason!.Value, o.UpdatedAt })
                .ToListAsync(ct))
            .GroupBy(o => o.Reason)
            .Select(g => new { Reason = g.Key, Count = g.Count(), Oldest = g.Min(o => o.UpdatedAt) })
            .ToList();
        var now = clock.GetUtcNow();
        return Enum.GetValues<HoldReason>().SelectMany(reason =>
        {
            var row = held.FirstOrDefault(h => h.Reason == reason);
            var tag = new KeyValuePair<string, object?>("reason", reason.ToString());
            return new GaugeSample[]
            {
                new("platform.orders.held", row?.Count ?? 0, tag),
                new("platform.orders.held.oldest_age", row is null ? 0 : Math.Max(0, (now - row.Oldest).TotalSeconds), tag),
            };
        }).ToList();
    }
}
