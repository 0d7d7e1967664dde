using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Outbox;

/// <summary>How far a service's relay is behind: the messages committed but not yet confirmed by the broker, and the
/// age of the oldest (0 when none waits) — a broker that cannot be reached shows here before anyone misses a message.</summary>
public sealed class OutboxProbe<TContext>(TimeProvider clock) : IStateProbe where TContext : PlatformDbContext
{
    public IReadOnlyList<(string Metric, string Unit, string Description)> Metrics { get; } =
    [
        ("platform.outbox.backlog", "{message}", "Outbox messages committed and not yet published."),
        ("platform.outbox.oldest_age", "s", "Age of the oldest outbox message not yet published (0 when none waits)."),
    ];

    public async Task<IReadOnlyList<GaugeSample>> SampleAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<TContext>();
        var service = services.GetRequiredService<ServiceDatabase<TContext>>().Database.Service;
        var (count, oldest) = await OutboxStatusEndpoint.BacklogAsync(db, ct);
        var tag = new KeyValuePair<string, object?>("service", service);
        return
        [
            new("platform.outbox.backlog", count, tag),
            new("platform.outbox.oldest_age", oldest is { } at ? Math.Max(0, (clock.GetUtcNow() - at).TotalSeconds) : 0, tag),
        ];
    }
}
