using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.TestService;

using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

/// <summary>A fresh database of the test service's shape, in-process: its own PostgreSQL database on the
/// local server, or its own SQLite file — with the schema created by the same start-up scripts.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestDatabase(WebApplication app) => _app = app;

    public static async Task<TestDatabase> CreateAsync(SqlDialect dialect)
    {
        var name = $"probe_{Guid.NewGuid():N}"[..20];
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Mode"] = dialect == SqlDialect.Postgres ? "Distributed" : "Embedded",
            ["Platform:DataDirectory"] = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests", name),
            ["Platform:LogFormat"] = "simple",
        };
        if (dialect == SqlDialect.Postgres)
        {
            var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
            settings["ConnectionStrings:Postgres"] = infrastructure.Postgres;
            settings["ConnectionStrings:RabbitMq"] = infrastructure.RabbitMq;
            foreach (var (key, value) in TestIdentity.Settings())
            {
                settings[key] = value;
            }
        }

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults("test");
        builder.Services.AddLogging();
        builder.AddServiceDatabase<ProbeDbContext>(name);
        builder.AddEventStreams<ProbeDbContext>(ProbeTallies.Register);
        var app = builder.Build();

        // Only the schema start-up steps run (the scripts, then the event store's): these tests drive the database directly, without a bus.
        await ActivatorUtilities.CreateInstance<SchemaInitializer<ProbeDbContext>>(app.Services).StartAsync(CancellationToken.None);
        await ActivatorUtilities.CreateInstance<EventStoreInitializer<ProbeDbContext>>(app.Services).StartAsync(CancellationToken.None);
        return new TestDatabase(app);
    }

    public AsyncServiceScope Scope() => _app.Services.CreateAsyncScope();

    public IServiceProvider Services => _app.Services;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
