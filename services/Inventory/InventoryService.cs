using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Inventory.AllocatingStock;
using Rakuten.Platform.Inventory.PublicApi;

using Rakuten.Platform.Inventory.Kits;

namespace Rakuten.Platform.Inventory;

public static class InventoryService
{
    public const string Name = "inventory";

    public static WebApplicationBuilder AddInventoryService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<InventoryDbContext>(Name);
        // Up to 10 messages of up to 100 levels each a transaction (every SKU of it locked: 1,000 locks at most); a lone
        // change waits at most 20 ms for company.
        builder.AddPlatformBatchConsumer<StockLevelReportedConsumer>(Name, messageLimit: 10, timeLimit: TimeSpan.FromMilliseconds(20), concurrencyLimit: 2);
        // An order's reservation steps, a batch at a time: one set of SKU locks and one recomputation for many orders.
        builder.AddPlatformBatchConsumer<OrderAcceptedConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.AddPlatformBatchConsumer<OrderCancelledConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.AddPlatformConsumer<OrderLinesChangedConsumer>(Name);
        builder.AddPlatformBatchConsumer<OrderExportedConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.AddPlatformBatchConsumer<ShipmentDispatchedConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.AddPlatformConsumer<ConnectionHealthChangedConsumer>(Name);
        return builder;
    }

    public static WebApplication MapInventoryService(this WebApplication app)
    {
        app.MapOutboxStatus<InventoryDbContext>("/inventory");
        var inventory = app.MapPlatformApi<InventoryDbContext>("/inventory").WithTags("Inventory");
        inventory.MapAuditLog<InventoryDbContext>("");
        inventory.MapStock();
        inventory.MapKits();
        app.MapGrpcService<InventoryApi>();
        return app;
    }
}
