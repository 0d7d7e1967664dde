using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>OpenTelemetry through OpenTelemetry.Extensions.Hosting: the providers live in the container, so the
/// host disposes them at shutdown and whatever is still batched is flushed. Traces and metrics from ASP.NET Core
/// (gRPC included), HttpClient, the runtime, Npgsql, MassTransit's own diagnostics and the platform's sources;
/// exported over OTLP when an endpoint is configured.</summary>
public static class Telemetry
{
    /// <summary>MassTransit's ActivitySource and Meter are both named "MassTransit".</summary>
    public static readonly string[] TraceSources = ["MassTransit", "Rakuten.Platform.*"];

    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "MassTransit", "Npgsql", "Rakuten.Platform.*",
    ];

    /// <summary>Paths nobody wants a trace of: probes and scrapes arrive every few seconds and say nothing about a flow.</summary>
    internal static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/health")
        && !context.Request.Path.StartsWithSegments("/metrics")
        && !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health");

    internal static void AddPlatformTelemetry(this WebApplicationBuilder builder, PlatformOptions options)
    {
        var endpoint = options.OtlpEndpoint is { Length: > 0 } e ? new Uri(e) : null;
        var exporting = endpoint is not null;

        // Spans are recorded where something reads them. Without an exporter the tracer provider still runs (an
        // incoming traceparent must reach the outbox so the trace continues in a service that does export), but
        // nothing starts a trace of its own.
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName, serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId))
            .WithTracing(tracing =>
            {
                tracing.AddSource(TraceSources)
                    .AddAspNetCoreInstrumentation(o => o.Filter = IsTraced)
                    .AddHttpClientInstrumentation(o => o.RecordException = true)
                    .AddNpgsql()
                    .SetSampler(exporting ? new FlowSampler() : new ParentBasedSampler(new AlwaysOffSampler()));
                if (endpoint is not null)
                {
                    tracing.AddOtlpExporter(o => Configure(o, endpoint, "v1/traces"));
                }
            });

        if (endpoint is null)
        {
            return;
        }

        builder.Services.AddHostedService<StateGauges>();
        otel.WithMetrics(metrics => metrics
                .AddMeter(Meters)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddOtlpExporter(o => Configure(o, endpoint, "v1/metrics")))
            .WithLogging(logging => logging.AddOtlpExporter(o => Configure(o, endpoint, "v1/logs")), o =>
            {
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
            });
    }

    private static void Configure(OtlpExporterOptions o, Uri endpoint, string signalPath)
    {
        // OTLP over HTTP needs the per-signal path; gRPC (port 4317) takes the bare endpoint.
        if (endpoint.Port == 4317)
        {
            o.Protocol = OtlpExportProtocol.Grpc;
            o.Endpoint = endpoint;
        }
        else
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri(endpoint, signalPath);
        }
    }

    /// <summary>Follows the parent's decision; a new trace is started by a request, a message, a poll or a webhook, never by
    /// a bare client call — the outbox relay's and the change feed's queries, a probe's HTTP call — which would each be a
    /// trace of one span nobody reads.</summary>
    internal sealed class FlowSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters parameters)
        {
            if (parameters.ParentContext.TraceId != default)
            {
                return new SamplingResult(parameters.ParentContext.TraceFlags.HasFlag(System.Diagnostics.ActivityTraceFlags.Recorded)
                    ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
            }

            return new SamplingResult(parameters.Kind == System.Diagnostics.ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
        }
    }
}
