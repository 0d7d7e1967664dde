using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Hosting;

namespace Rakuten.Platform.Channels.Common;

/// <summary>Each live connection's health (a series per connection whose <c>health</c> tag is the current state, value 1),
/// whether its flows are paused (Unauthorized, Expired), and the days its credentials have left where they expire.</summary>
public sealed class ConnectionsProbe<TContext>(TimeProvider clock) : IStateProbe where TContext : ChannelDbContext
{
    public IReadOnlyList<(string Metric, string Unit, string Description)> Metrics { get; } =
    [
        ("platform.connection.health", "1", "1 for each connection, tagged with its current health."),
        ("platform.connection.paused", "1", "1 while a connection's flows are paused (credentials refused or expired), else 0."),
        ("platform.connection.credentials_days_left", "d", "Days until a connection's credentials expire (RMS license keys)."),
    ];

    public async Task<IReadOnlyList<GaugeSample>> SampleAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<TContext>();
        var connections = await db.Connections.AsNoTracking().Where(c => c.RemovedAt == null).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var samples = new List<GaugeSample>();
        foreach (var c in connections)
        {
            KeyValuePair<string, object?> channel = new("channel", c.Channel.ToString()), id = new("connection_id", c.Id.ToString());
            samples.Add(new("platform.connection.health", 1, channel, id, new("tenant_id", c.TenantId.ToString()), new("health", c.Health.ToString())));
            samples.Add(new("platform.connection.paused", c.FlowsPaused ? 1 : 0, channel, id));
            if (c.CredentialsExpireAt is { } expires)
            {
                samples.Add(new("platform.connection.credentials_days_left", Math.Round((expires - now).TotalDays, 2), channel, id));
            }
        }

        return samples;
    }
}
