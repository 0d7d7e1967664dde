using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Inventory.AllocatingStock;

namespace Rakuten.Platform.Inventory;

public static class InventoryService
{
    public const string Name = "inventory";

    public static WebApplicationBuilder AddInventoryService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<InventoryDbContext>(Name);
        builder.AddPlatformConsumer<StockLevelReportedConsumer>(Name);
        builder.AddPlatformConsumer<OrderAcceptedConsumer>(Name);
        builder.AddPlatformConsumer<OrderCancelledConsumer>(Name);
        builder.AddPlatformConsumer<OrderExportedConsumer>(Name);
        builder.AddPlatformConsumer<ShipmentDispatchedConsumer>(Name);
        builder.AddPlatformConsumer<ConnectionHealthChangedConsumer>(Name);
        return builder;
    }

    public static WebApplication MapInventoryService(this WebApplication app)
    {
        app.MapOutboxStatus<InventoryDbContext>("/inventory");
        app.MapGroup("/inventory").WithTags("Inventory").MapStock();
        return app;
    }
}
