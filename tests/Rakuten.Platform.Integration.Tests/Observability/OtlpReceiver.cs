using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.Integration.Tests.Observability.Otlp;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Observability;

/// <summary>One span as exported by a service process.</summary>
public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string? ParentId, string Name, int Kind,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> LinkedSpans)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    public override string ToString() => $"{Service}: {Name} [{SpanId} ← {ParentId ?? "root"}]";
}

/// <summary>A data point of a platform metric as exported: its attributes and value (a histogram's: its count).</summary>
public sealed record ReceivedPoint(string Service, string Metric, IReadOnlyDictionary<string, string> Attributes, double Value)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);
}

/// <summary>An OTLP/HTTP (protobuf) collector in the test process: the platform's processes export to it as they would
/// to the OpenTelemetry Collector, and the test reads what arrived.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentDictionary<(string Service, string Metric), bool> _metrics = new();
    private readonly ConcurrentQueue<ReceivedPoint> _points = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";

    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToArray();

    public IReadOnlyCollection<(string Service, string Metric)> Metrics => _metrics.Keys.ToArray();

    /// <summary>Every data point received (a gauge's value, a sum's total, a histogram's count), with its attributes.</summary>
    public IReadOnlyList<ReceivedPoint> Points => _points.ToArray();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var port = ChannelHosts.FreePort();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app) { Endpoint = $"http://127.0.0.1:{port}" };
        // Open, as an OpenTelemetry Collector's OTLP receiver is: a test-only sink on loopback that the platform's
        // processes export to; it serves nothing and exists only for the test that started it.
        var otlp = app.MapGroup("").AllowAnonymous();
        otlp.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            receiver.Take(ExportTraceServiceRequest.Parser.ParseFrom(await ReadAsync(request)));
            return Results.Ok();
        });
        otlp.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            foreach (var resource in ExportMetricsServiceRequest.Parser.ParseFrom(await ReadAsync(request)).ResourceMetrics)
            {
                var service = Service(resource.Resource);
                foreach (var metric in resource.ScopeMetrics.SelectMany(s => s.Metrics))
                {
                    receiver._metrics[(service, metric.Name)] = true;
                    receiver.Take(service, metric);
                }
            }

            return Results.Ok();
        });
        otlp.MapPost("/v1/logs", () => Results.Ok());
        await app.StartAsync();
        return receiver;
    }

    private void Take(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = Service(resource.Resource);
            foreach (var span in resource.ScopeSpans.SelectMany(s => s.Spans))
            {
                _spans.Enqueue(new ReceivedSpan(service, Hex(span.TraceId), Hex(span.SpanId), span.ParentSpanId.IsEmpty ? null : Hex(span.ParentSpanId),
                    span.Name, span.Kind, span.Attributes.ToDictionary(a => a.Key, a => Text(a.Value)), span.Links.Select(l => Hex(l.SpanId)).ToList()));
            }
        }
    }

    private void Take(string service, Metric metric)
    {
        // Only the platform's own: the instrumentation's points (one per route, per status, per GC generation) are many.
        if (!metric.Name.StartsWith("platform.", StringComparison.Ordinal))
        {
            return;
        }

        var points = metric.DataCase switch
        {
            Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(p => (p.Attributes, Value: p.ValueCase == NumberDataPoint.ValueOneofCase.AsDouble ? p.AsDouble : p.AsInt)),
            Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(p => (p.Attributes, Value: p.ValueCase == NumberDataPoint.ValueOneofCase.AsDouble ? p.AsDouble : p.AsInt)),
            Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(p => (p.Attributes, Value: (double)p.Count)),
            _ => [],
        };
        foreach (var (attributes, value) in points)
        {
            _points.Enqueue(new ReceivedPoint(service, metric.Name, attributes.ToDictionary(a => a.Key, a => Text(a.Value)), value));
        }
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static string Service(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "?";

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
