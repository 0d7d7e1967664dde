using Microsoft.AspNetCore.Builder;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

/// <summary>The platform as it is deployed: each service its own process (their build output), on the local RabbitMQ and
/// PostgreSQL (a database per service and run), the Sandbox as the marketplaces, every process exporting OTLP to
/// <paramref name="otlpEndpoint"/>. Only what the tests of the whole deployment need; most tests use <see cref="ChannelHosts"/>.</summary>
public sealed class DistributedPlatform : IAsyncDisposable
{
    public static readonly (string Name, string Project)[] ServiceProjects =
    [
        ("catalog", "services/Catalog"), ("inventory", "services/Inventory"), ("orders", "services/Orders"), ("shipping", "services/Shipping"),
        ("shopify", "services/Channels/Shopify"), ("rakuten-jp", "services/Channels/RakutenJp"),
    ];

    private readonly WebApplication _sandbox;
    private readonly List<string> _databases;
    private readonly LocalInfrastructure _infrastructure;
    private readonly string _virtualHost;

    private DistributedPlatform(WebApplication sandbox, Dictionary<string, ServiceProcess> services, LocalInfrastructure infrastructure, string virtualHost,
        List<string> databases)
    {
        _infrastructure = infrastructure;
        _virtualHost = virtualHost;
        _sandbox = sandbox;
        _databases = databases;
        Services = services;
        Sandbox = new HttpClient { BaseAddress = new Uri(ChannelHosts.Address(sandbox)) };
        foreach (var service in services.Values)
        {
            service.Http.DefaultRequestHeaders.Authorization = TestIdentity.Bearer(Tenant, TestIdentity.AllTenantRoles);
        }
    }

    public Guid Tenant { get; } = Guid.NewGuid();

    public HttpClient Sandbox { get; }

    public string SandboxUrl => Sandbox.BaseAddress!.ToString().TrimEnd('/');

    /// <summary>Each service's process by its name (catalog, inventory, orders, shipping, shopify, rakuten-jp), its API as an admin of <see cref="Tenant"/>.</summary>
    public IReadOnlyDictionary<string, ServiceProcess> Services { get; }

    public HttpClient this[string service] => Services[service].Http;

    public static async Task<DistributedPlatform> StartAsync(string otlpEndpoint, IReadOnlyDictionary<string, string>? settings = null)
    {
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        var sandbox = await ChannelHosts.StartSandboxAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        var databases = new List<string>();
        var keys = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests", $"keys-{run}");
        var services = new Dictionary<string, ServiceProcess>();
        var virtualHost = $"test-{run}";
        var broker = await infrastructure.CreateVirtualHostAsync(virtualHost);
        try
        {
            foreach (var (name, project) in ServiceProjects)
            {
                string Db(string database)
                {
                    databases.Add($"test_{database.Replace('-', '_')}_{run}");
                    return new Npgsql.NpgsqlConnectionStringBuilder(infrastructure.Postgres) { Database = databases[^1] }.ToString();
                }

                var own = new Dictionary<string, string>
                {
                    ["Platform:Mode"] = "Distributed",
                    ["ConnectionStrings:Postgres"] = infrastructure.Postgres,
                    ["ConnectionStrings:RabbitMq"] = broker,
                    [$"ConnectionStrings:{name}"] = Db(name),
                    ["ConnectionStrings:identity"] = Db($"identity_{name}"),
                    ["Platform:DataProtection:KeyRingPath"] = keys,
                    ["Platform:Outbound:AllowedOrigins:0"] = ChannelHosts.Address(sandbox).TrimEnd('/'),
                    ["Platform:RateLimits:PerCallerPerSecond"] = "2000",
                    ["Platform:RateLimits:PerTenantPerSecond"] = "4000",
                    ["Platform:RakutenJp:OrderPollInterval"] = "00:00:01",
                    ["Platform:RakutenJp:OrderApiSpacing"] = "00:00:00",
                    // Shipping waits for OrderAccepted before it takes OrderExported: the redeliveries give it the time a cold start needs.
                    ["Platform:Messaging:SpacedRetries"] = "00:00:01,00:00:05,00:00:15",
                    ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint,
                    // The state gauges (outbox, holds, connections, queues) every second, the queues from this run's vhost.
                    ["Platform:Metrics:SampleInterval"] = "00:00:01",
                    ["Platform:Messaging:ManagementUrl"] = infrastructure.RabbitManagement,
                    // Spans and metrics leave every half second, not every five: the tests read them.
                    ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
                    ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
                };
                foreach (var (key, value) in TestIdentity.DataProtectionSettings())
                {
                    own[key] = value!;
                }

                foreach (var (key, value) in settings ?? new Dictionary<string, string>())
                {
                    own[key] = value;
                }

                services[name] = await ServiceProcess.StartAsync(own, project);
            }

            foreach (var service in services.Values)
            {
                await service.WaitUntilAsync(async () => (await service.Http.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "ready");
            }
        }
        catch
        {
            foreach (var service in services.Values) await service.DisposeAsync();
            await sandbox.DisposeAsync();
            await infrastructure.DeleteVirtualHostAsync(virtualHost);
            throw;
        }

        return new DistributedPlatform(sandbox, services, infrastructure, virtualHost, databases);
    }

    /// <summary>What every process wrote last, for a test that timed out.</summary>
    public string Describe() => string.Join("\n", Services.Select(s => $"--- {s.Key}\n" + string.Join("\n",
        s.Value.Output.Where(l => l.Contains("warn:") || l.Contains("fail:")).Take(20).Concat(s.Value.Output.TakeLast(8)).Distinct().Select(l => l[..Math.Min(l.Length, 700)]))));

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Services.Values)
        {
            await service.DisposeAsync();
        }

        Sandbox.Dispose();
        await _sandbox.DisposeAsync();
        await _infrastructure.DeleteVirtualHostAsync(_virtualHost);
        await _infrastructure.DropDatabasesAsync(_databases);
    }
}
