using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Orders;
using Rakuten.Platform.Shipping;
using Rakuten.Platform.Shipping.ReportingShipments;

namespace Rakuten.Platform.Host;

/// <summary><c>dotnet run --project services/Host -- rebuild-projections [settings]</c>: every projection of the event-sourced
/// services (the order list, holds, shipments per order; the shipments) rebuilt from the events, on the databases the
/// settings name (embedded SQLite files by default, PostgreSQL with <c>--Platform:Mode=Distributed</c>), then exit.
/// Only the start-up steps that bring the databases up to date run: no bus, no consumer, no poller.</summary>
public static class ProjectionRebuilds
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults("rakuten-platform-rebuild");
        builder.AddOrdersService().AddShippingService();
        // The outbox relays need a bus to be built; it is never started here (nor told to stop: no word from it).
        builder.AddPlatformBus();
        builder.Logging.AddFilter("MassTransit", LogLevel.Error);
        await using var app = builder.Build();
        foreach (var step in app.Services.GetServices<IHostedService>().Where(IsDatabaseStep))
        {
            await step.StartAsync(CancellationToken.None);
        }

        foreach (var rebuild in app.Services.GetServices<IProjectionRebuild>())
        {
            Console.WriteLine($"rebuilding {rebuild.Name} …");
            var result = await rebuild.RebuildAsync(CancellationToken.None);
            Console.WriteLine($"  {result.Rows} rows from {result.Events} events in {result.Took.TotalSeconds:F1} s");
        }

        return 0;
    }

    private static bool IsDatabaseStep(IHostedService step)
    {
        var type = step.GetType();
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        return generic == typeof(SchemaInitializer<>) || generic == typeof(EventStoreInitializer<>) || step is ShipmentStreamsUpgrade;
    }
}
