using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Catalog;
using Rakuten.Platform.Channels.RakutenFr;
using Rakuten.Platform.Channels.RakutenJp;
using Rakuten.Platform.Channels.Shopify;
using Rakuten.Platform.Inventory;
using Rakuten.Platform.Orders;
using Rakuten.Platform.Sandbox;
using Rakuten.Platform.Shipping;

namespace Rakuten.Platform.TestService.Testing;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private bool _real;

    public DateTimeOffset Now { get; set; } = start;

    /// <summary>From now on the clock is the real one (a benchmark running the pollers on their own timers).</summary>
    public void FollowRealTime() => _real = true;

    public override DateTimeOffset GetUtcNow() => _real ? DateTimeOffset.UtcNow : Now;
}

/// <summary>Every log line of a process, formatted, so a test can search them for secrets.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{category} {formatter(state, exception)} {state} {exception}");
    }
}

/// <summary>The Sandbox on a real port, and the three channel services (and the catalog, inventory, orders and shipping, when asked) in one process on real PostgreSQL
/// and RabbitMQ, with their own fresh databases, a temporary key ring and a manual clock.</summary>
public sealed class ChannelHosts : IAsyncDisposable
{
    private readonly WebApplication _sandbox;
    private readonly WebApplication _channels;

    private readonly IReadOnlyList<string> _databases;

    private ChannelHosts(WebApplication sandbox, WebApplication channels, ManualClock clock, CapturedLogs logs, IReadOnlyList<string> databases)
    {
        _sandbox = sandbox;
        _channels = channels;
        _databases = databases;
        Clock = clock;
        Logs = logs;
        Sandbox = new HttpClient { BaseAddress = new Uri(Address(sandbox)) };
        Platform = ClientFor(Tenant, TestIdentity.AllTenantRoles);
    }

    public HttpClient Sandbox { get; }

    /// <summary>The platform's API as an admin (with operator and viewer) of <see cref="Tenant"/>.</summary>
    public HttpClient Platform { get; }

    /// <summary>The tenant <see cref="Platform"/> acts for: a new one per host.</summary>
    public Guid Tenant { get; } = Guid.NewGuid();

    /// <summary>The platform's API with a token of <paramref name="tenant"/> (null: ops without a tenant) and
    /// <paramref name="roles"/>; no roles and no tenant: anonymous.</summary>
    public HttpClient ClientFor(Guid? tenant, params string[] roles)
    {
        var client = new HttpClient { BaseAddress = new Uri(Address(_channels)) };
        if (tenant is not null || roles.Length > 0)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestIdentity.Token(tenant, roles));
        }

        return client;
    }

    public string PlatformUrl => Address(_channels).TrimEnd('/');

    /// <summary>Every route the platform process serves, as mapped (the security tests go over all of them).</summary>
    public IReadOnlyList<Microsoft.AspNetCore.Routing.RouteEndpoint> Endpoints =>
        ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)_channels).DataSources.SelectMany(d => d.Endpoints)
        .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>().ToList();

    public ManualClock Clock { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _channels.Services;

    public string SandboxUrl => Sandbox.BaseAddress!.ToString().TrimEnd('/');

    /// <param name="withCatalog">Also run the Catalog, Inventory, Orders and Shipping services (their own databases) in the same process.</param>
    /// <param name="settings">Settings on top of the test defaults.</param>
    /// <param name="minimumLevel">The lowest log level kept (benchmarks keep only warnings).</param>
    public static async Task<ChannelHosts> StartAsync(bool withCatalog = false, IDictionary<string, string?>? settings = null, LogLevel minimumLevel = LogLevel.Debug)
    {
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        var sandbox = await StartSandboxAsync();

        var run = Guid.NewGuid().ToString("N")[..8];
        var database = new Npgsql.NpgsqlConnectionStringBuilder(infrastructure.Postgres);
        var databases = new List<string>();
        string Db(string service)
        {
            databases.Add($"test_{service}_{run}");
            return new Npgsql.NpgsqlConnectionStringBuilder(database.ToString()) { Database = databases[^1] }.ToString();
        }

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var grpcPort = FreePort();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Mode"] = "Distributed",
            // gRPC on its own HTTP/2 port beside the HTTP/1.1 one, as in a deployment; reflection on, as an operator may set.
            ["Platform:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Platform:Grpc:Reflection"] = "true",
            ["Platform:LogFormat"] = "simple",
            ["ConnectionStrings:Postgres"] = infrastructure.Postgres,
            ["ConnectionStrings:RabbitMq"] = infrastructure.RabbitMq,
            ["ConnectionStrings:rakuten-jp"] = Db("rakuten_jp"),
            ["ConnectionStrings:rakuten-fr"] = Db("rakuten_fr"),
            ["ConnectionStrings:shopify"] = Db("shopify"),
            ["Platform:DataProtection:KeyRingPath"] = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests", $"keys-{run}"),
            // The manual clock jumps weeks ahead: keep sent outbox rows, the tests read them as the event history.
            ["Platform:Outbox:Retention"] = "3650.00:00:00",
            // The watch is driven by the test; its own timer must not fire during it.
            ["Platform:RakutenJp:ExpiryCheckInterval"] = "1.00:00:00",
            ["Platform:RakutenJp:OrderPollerEnabled"] = "false",
            ["Platform:RakutenJp:OrderApiSpacing"] = "00:00:00",
            ["Platform:RakutenFr:SalesPollerEnabled"] = "false",
            ["ConnectionStrings:catalog"] = Db("catalog"),
            ["ConnectionStrings:inventory"] = Db("inventory"),
            ["ConnectionStrings:orders"] = Db("orders"),
            ["ConnectionStrings:shipping"] = Db("shipping"),
            ["ConnectionStrings:identity"] = Db("identity"),
            // Tests poll the API many times a second; the limits themselves are tested with their own settings.
            ["Platform:RateLimits:PerCallerPerSecond"] = "2000",
            ["Platform:RateLimits:PerTenantPerSecond"] = "4000",
            ["Platform:RateLimits:MarketplacePerMinute"] = "1000",
            // The Sandbox on loopback is the marketplaces here: the operator's allow-list names it.
            ["Platform:Outbound:AllowedOrigins:0"] = Address(sandbox).TrimEnd('/'),
        });
        builder.Configuration.AddInMemoryCollection(TestIdentity.Settings());
        builder.Configuration.AddInMemoryCollection(TestIdentity.DataProtectionSettings());
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddServiceDefaults("channels-test");
        var logs = new CapturedLogs();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(minimumLevel);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddRakutenJpService().AddRakutenFrService().AddShopifyService();
        if (withCatalog)
        {
            builder.AddCatalogService();
            builder.AddInventoryService();
            builder.AddOrdersService();
            builder.AddShippingService();
        }

        builder.AddPlatformBus();
        var channels = builder.Build();
        channels.MapDefaultEndpoints();
        channels.MapRakutenJpService().MapRakutenFrService().MapShopifyService();
        if (withCatalog)
        {
            channels.MapCatalogService();
            channels.MapInventoryService();
            channels.MapOrdersService();
            channels.MapShippingService();
        }

        await channels.StartAsync();
        return new ChannelHosts(sandbox, channels, clock, logs, databases);
    }

    /// <summary>The Sandbox (the three marketplaces) alone, on a free loopback port.</summary>
    public static async Task<WebApplication> StartSandboxAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddSandbox();
        var sandbox = builder.Build();
        sandbox.MapSandbox();
        await sandbox.StartAsync();
        return sandbox;
    }

    /// <summary>The HTTP/1.1 address (the gRPC port, when there is one, is <see cref="GrpcUrl"/>).</summary>
    public static string Address(WebApplication app)
    {
        var grpc = app.Configuration["Platform:Grpc:Url"];
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => grpc is null || new Uri(a).Port != new Uri(grpc).Port);
    }

    /// <summary>The platform's gRPC API (HTTP/2 without TLS).</summary>
    public string GrpcUrl => _channels.Configuration["Platform:Grpc:Url"]!;

    /// <summary>A gRPC channel to the platform with a token of <paramref name="tenant"/> and <paramref name="roles"/> in every
    /// call's metadata (none: anonymous); <paramref name="metadata"/> adds entries (an ops identity's x-tenant-id).</summary>
    public global::Grpc.Net.Client.GrpcChannel GrpcFor(Guid? tenant, string[] roles, params (string Key, string Value)[] metadata)
    {
        var token = tenant is not null || roles.Length > 0 ? TestIdentity.Token(tenant, roles) : null;
        var credentials = global::Grpc.Core.CallCredentials.FromInterceptor((_, headers) =>
        {
            if (token is not null) headers.Add("authorization", $"Bearer {token}");
            foreach (var (key, value) in metadata) headers.Add(key, value);
            return Task.CompletedTask;
        });
        return global::Grpc.Net.Client.GrpcChannel.ForAddress(GrpcUrl, new global::Grpc.Net.Client.GrpcChannelOptions
        {
            Credentials = global::Grpc.Core.ChannelCredentials.Create(global::Grpc.Core.ChannelCredentials.Insecure, credentials), UnsafeUseInsecureChannelCallCredentials = true,
        });
    }

    /// <summary>The platform's gRPC API as an admin (with operator and viewer) of <see cref="Tenant"/>.</summary>
    public global::Grpc.Net.Client.GrpcChannel Grpc => _grpc ??= GrpcFor(Tenant, TestIdentity.AllTenantRoles);

    private global::Grpc.Net.Client.GrpcChannel? _grpc;

    /// <summary>A loopback port nobody listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Sandbox.Dispose();
        Platform.Dispose();
        _grpc?.Dispose();
        await _channels.StopAsync();
        await _channels.DisposeAsync();
        await _sandbox.DisposeAsync();
        await (await LocalInfrastructure.EnsureStartedAsync()).DropDatabasesAsync(_databases);
    }
}
