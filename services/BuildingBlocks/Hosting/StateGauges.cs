using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>One value of a state gauge: a count or an age read from a database or the broker.</summary>
public sealed record GaugeSample(string Metric, double Value, params KeyValuePair<string, object?>[] Tags);

/// <summary>Reads some state — the outbox backlog, the held orders, the connections' health, the queues — for gauges.
/// Each sample replaces the probe's previous one entirely, so a series that is gone (a hold released) reads as absent.</summary>
public interface IStateProbe
{
    /// <summary>Each metric the probe may report, with its unit and description (created as gauges at start).</summary>
    IReadOnlyList<(string Metric, string Unit, string Description)> Metrics { get; }

    Task<IReadOnlyList<GaugeSample>> SampleAsync(IServiceProvider services, CancellationToken ct);
}

/// <summary>Samples every probe every <c>Platform:Metrics:SampleInterval</c> (15 s) and serves the last sample to the
/// gauges: the exporter's callback must not run queries (it is synchronous, and a slow database would stall every
/// metric of the process). A probe that fails keeps no stale value: its gauges read as absent until it answers again.</summary>
public sealed class StateGauges(IEnumerable<IStateProbe> probes, IServiceScopeFactory scopes, IConfiguration configuration, ILogger<StateGauges> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<GaugeSample>> _latest = new();
    private readonly IReadOnlyList<IStateProbe> _probes = probes.ToList();

    // A meter of this host's own, disposed with it: a second host in the same process (the tests start several) gets
    // its own gauges instead of adding callbacks to a shared meter that would report the first host's stale samples.
    private readonly Meter _meter = new("Rakuten.Platform.State");

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (metric, unit, description) in _probes.SelectMany(p => p.Metrics).DistinctBy(m => m.Metric))
        {
            _meter.CreateObservableGauge(metric, () => Observe(metric), unit, description);
        }

        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Platform:Metrics:SampleInterval", TimeSpan.FromSeconds(15));
        // The first sample after one interval: by then the services' schemas exist (their initialisers start after this).
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var probe in _probes)
            {
                await SampleAsync(probe, stoppingToken);
            }
        }
    }

    private async Task SampleAsync(IStateProbe probe, CancellationToken ct)
    {
        var key = probe.GetType().FullName!;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            _latest[key] = await probe.SampleAsync(scope.ServiceProvider, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            _latest.TryRemove(key, out _);
            logger.LogWarning(ex, "State probe {Probe} failed; its gauges read as absent until it answers", probe.GetType().Name);
        }
    }

    private IEnumerable<Measurement<double>> Observe(string metric) =>
        _latest.Values.SelectMany(samples => samples).Where(s => s.Metric == metric).Select(s => new Measurement<double>(s.Value, s.Tags));
}

public static class StateGaugeRegistration
{
    /// <summary>Adds a probe to the state gauges (sampled only where metrics are exported).</summary>
    public static WebApplicationBuilder AddStateProbe<TProbe>(this WebApplicationBuilder builder) where TProbe : class, IStateProbe
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStateProbe, TProbe>());
        return builder;
    }
}
