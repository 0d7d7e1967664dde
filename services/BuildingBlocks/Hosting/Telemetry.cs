using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>OpenTelemetry wired by hand: OpenTelemetry.Extensions.Hosting and the instrumentation packages do
/// not restore here (DESIGN §9), so the providers are built from the SDK and the libraries' own
/// ActivitySources and Meters (ASP.NET Core, HttpClient, MassTransit and Npgsql all emit them natively).</summary>
public static class Telemetry
{
    public static readonly string[] TraceSources =
        ["Microsoft.AspNetCore", "System.Net.Http", "MassTransit", "Npgsql", "Rakuten.Platform.*"];

    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http",
        "MassTransit", "Npgsql", "Rakuten.Platform.*",
    ];

    internal static void AddPlatformTelemetry(this WebApplicationBuilder builder, PlatformOptions options)
    {
        var resource = ResourceBuilder.CreateDefault().AddService(options.ServiceName);
        var endpoint = options.OtlpEndpoint is { Length: > 0 } e ? new Uri(e) : null;

        // The tracer provider is built even without an exporter: without a listener no Activity is created,
        // and then an incoming traceparent would not reach the outbox and the trace could not continue in the
        // next service (which may export). Without an exporter, though, nothing starts a trace of its own:
        // spans nobody reads are not recorded; a sampled traceparent that arrives is still followed.
        var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(TraceSources);
        if (endpoint is not null)
        {
            tracing.AddOtlpExporter(o => Configure(o, endpoint, "v1/traces"));
        }
        else
        {
            tracing.SetSampler(new ParentBasedSampler(new AlwaysOffSampler()));
        }

        var tracerProvider = tracing.Build();
        builder.Services.AddSingleton(tracerProvider);

        if (endpoint is not null)
        {
            var meterProvider = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter(Meters)
                .AddOtlpExporter(o => Configure(o, endpoint, "v1/metrics"))
                .Build();
            builder.Services.AddSingleton(meterProvider);

            builder.Logging.AddOpenTelemetry(o =>
            {
                o.SetResourceBuilder(resource);
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
                o.AddOtlpExporter(x => Configure(x, endpoint, "v1/logs"));
            });
        }
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
}
