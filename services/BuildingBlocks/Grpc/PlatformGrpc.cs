using System.Net;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Hosting;

namespace Rakuten.Platform.BuildingBlocks.Grpc;

/// <summary>The gRPC API's hosting, for every service process and the Host (issue 18, DESIGN §6). Without TLS, Kestrel
/// cannot offer HTTP/1.1 and cleartext HTTP/2 on one port (there is no ALPN to choose), so gRPC listens on its own
/// HTTP/2 port, <c>Platform:Grpc:Url</c>, beside the HTTP/1.1 addresses (<c>--urls</c>). Health (<c>grpc.health.v1</c>,
/// the readiness checks) is open; reflection is on in embedded mode and off in distributed mode unless
/// <c>Platform:Grpc:Reflection</c> says otherwise; messages are limited in size; errors carry google.rpc details.</summary>
public static class PlatformGrpc
{
    /// <summary>The largest request (1,000 SKU names fit many times over).</summary>
    public const int MaxReceiveBytes = 1024 * 1024;

    /// <summary>The largest response (a page of 500 orders with their lines).</summary>
    public const int MaxSendBytes = 16 * 1024 * 1024;

    public static WebApplicationBuilder AddPlatformGrpc(this WebApplicationBuilder builder, PlatformOptions options)
    {
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = MaxReceiveBytes;
            o.MaxSendMessageSize = MaxSendBytes;
            o.EnableDetailedErrors = false;
            // An unknown service falls through to the platform's fallback (401 without an identity), not to an open UNIMPLEMENTED.
            o.IgnoreUnknownServices = true;
            o.Interceptors.Add<GrpcErrors>();
        });
        builder.Services.AddGrpcHealthChecks(o =>
        {
            // The whole server ("") is serving when the process is ready: its database(s) and broker answer.
            o.Services.Map("", r => r.Tags.Contains(ServiceDefaults.ReadyTag));
        });
        // Health answers from the last published check, every 5 s: a probe storm must not open a connection to every
        // database per call (64 probes at once ran PostgreSQL out of connections).
        builder.Services.Configure<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.FromSeconds(1);
            o.Period = TimeSpan.FromSeconds(5);
        });
        if (Reflection(builder.Configuration, options))
        {
            builder.Services.AddGrpcReflection();
        }

        if (builder.Configuration["Platform:Grpc:Url"] is { Length: > 0 } grpcUrl && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            // Listening explicitly replaces --urls, so those addresses are listened on here too (HTTP/1.1: without TLS
            // nothing else is possible on them), and the setting is cleared so that Kestrel does not warn it is overridden.
            var urls = builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? "http://localhost:5000";
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    Listen(kestrel, url, HttpProtocols.Http1);
                }

                Listen(kestrel, grpcUrl, HttpProtocols.Http2);
            });
        }

        return builder;
    }

    public static WebApplication MapPlatformGrpc(this WebApplication app)
    {
        app.MapGrpcHealthChecksService().AllowAnonymous();
        if (Reflection(app.Configuration, app.Services.GetRequiredService<PlatformOptions>()))
        {
            // Reflection describes the API, not a tenant's data; it still needs an identity, like everything else.
            app.MapGrpcReflectionService();
        }

        return app;
    }

    private static bool Reflection(IConfiguration configuration, PlatformOptions options) =>
        configuration.GetValue<bool?>("Platform:Grpc:Reflection") ?? options.Mode == PlatformMode.Embedded;

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"'{url}' is not an http:// or https:// address to listen on (Platform:Grpc:Url, --urls).");
        }

        void Configure(ListenOptions listen)
        {
            listen.Protocols = uri.Scheme == "https" ? HttpProtocols.Http1AndHttp2 : protocols;
            if (uri.Scheme == "https")
            {
                listen.UseHttps(); // the certificate of Kestrel:Certificates:Default
            }
        }

        if (uri.Host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, Configure);
        }
        else if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            if (address.Equals(IPAddress.Any))
            {
                kestrel.ListenAnyIP(uri.Port, Configure);
            }
            else
            {
                kestrel.Listen(address, uri.Port, Configure);
            }
        }
        else
        {
            throw new InvalidOperationException($"'{url}': listen on an IP address or localhost (a host name cannot be bound).");
        }
    }
}
