using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;

namespace Rakuten.Platform.Integration.Tests.Observability;

/// <summary>The telemetry pipeline of a service process (issue 19): what is exported, what is not, and that a stop flushes it.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task A_stopping_service_flushes_its_spans_and_metrics_and_health_probes_are_never_traced()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        var settings = new Dictionary<string, string>(await Probe.DistributedAsync(Probe.UniqueName("otel_flush"), consume: true))
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.Endpoint,
            // Nothing leaves on a timer during the test: what arrives is what the shutdown flushed.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "600000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "600000",
        };
        var service = await ServiceProcess.StartAsync(settings);
        try
        {
            await service.CommitAsync();
            await service.WaitUntilAsync(async () => (await service.EffectsAsync()).Count == 1, TimeSpan.FromSeconds(30), "the probe event consumed");
            for (var i = 0; i < 3; i++)
            {
                (await service.Http.GetAsync("/health/ready")).EnsureSuccessStatusCode();
                (await service.Http.GetAsync("/health/live")).EnsureSuccessStatusCode();
            }

            otlp.Spans.Should().BeEmpty("the batch exporter has not sent anything yet");
            await service.StopAsync();
        }
        finally
        {
            await service.DisposeAsync();
        }

        var spans = otlp.Spans;
        spans.Should().Contain(s => s.Kind == 2 && s["url.path"] == "/probe/commit", "the request's server span was flushed at shutdown");
        spans.Should().Contain(s => s.Name.StartsWith("outbox publish", StringComparison.Ordinal));
        var commit = spans.First(s => s["url.path"] == "/probe/commit");
        spans.Where(s => s.TraceId == commit.TraceId).Should().Contain(s => s.Kind == 5, "the consumer's span is in the request's trace");
        spans.Should().NotContain(s => (s["url.path"] ?? "").StartsWith("/health", StringComparison.Ordinal), "probes are filtered out");
        spans.Where(s => s.ParentId is null).Should().NotContain(s => s.Kind == 3, "a client call with no flow around it starts no trace");
        otlp.Metrics.Select(m => m.Metric).Should().Contain(["platform.outbox.published", "http.server.request.duration", "dotnet.gc.collections"]);
    }
}
