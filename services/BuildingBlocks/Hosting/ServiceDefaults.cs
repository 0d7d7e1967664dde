using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Grpc;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.BuildingBlocks.Hosting;

public static class ServiceDefaults
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Configuration, logging, telemetry and health checks shared by every service process (and the
    /// all-in-one Host, which calls it once). <paramref name="serviceName"/> names the process in traces.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        var options = PlatformOptions.From(builder.Configuration, serviceName);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new PlatformBusRegistry());

        builder.Logging.ClearProviders();
        // Every log line carries the trace and span it was written in, so Grafana goes from a log to its trace.
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        var format = builder.Configuration["Platform:LogFormat"]
                     ?? (options.Mode == PlatformMode.Distributed ? "json" : "simple");
        if (format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }

        // EF Core logs every command at Information: keep it for those who ask (Logging:LogLevel), not by default.
        foreach (var noisy in new[] { "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "MassTransit", "System.Net.Http.HttpClient" })
        {
            if (builder.Configuration[$"Logging:LogLevel:{noisy}"] is null)
            {
                builder.Logging.AddFilter(noisy, LogLevel.Warning);
            }
        }

        // Polly logs each retry and each failed execution as a warning: under a Shopify store's throttling that is a line
        // per call. The attempts are counted by the marketplace metrics, and the circuits log their own changes.
        if (builder.Configuration["Logging:LogLevel:Polly"] is null)
        {
            builder.Logging.AddFilter("Polly", LogLevel.Error);
        }

        builder.AddPlatformTelemetry(options);
        builder.AddPlatformSecurity(options);
        builder.AddPlatformGrpc(options);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>The options <see cref="AddServiceDefaults"/> read, for the extension methods that follow it.</summary>
    public static PlatformOptions GetPlatformOptions(this WebApplicationBuilder builder) =>
        builder.Services.FindInstance<PlatformOptions>()
        ?? throw new InvalidOperationException("Call builder.AddServiceDefaults() before adding services.");

    /// <summary>The platform's guards (<see cref="PlatformSecurity.UsePlatformSecurity"/>), then <c>/health/live</c> (the
    /// process answers) and <c>/health/ready</c> (database and broker) for anyone, the API keys of the identity store
    /// (<c>/identity</c>) and the OpenAPI document of the process's endpoints at <c>/openapi/v1.json</c> (authenticated).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UsePlatformSecurity();
        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(LiveTag),
            ResponseWriter = WriteReport,
        }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        }).AllowAnonymous();
        app.MapApiKeys();
        app.MapPlatformGrpc();
        return app;
    }

    internal static T? FindInstance<T>(this IServiceCollection services) where T : class =>
        services.LastOrDefault(d => d.ServiceType == typeof(T) && d.ImplementationInstance is not null)?.ImplementationInstance as T;

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description ?? e.Value.Exception?.Message }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
