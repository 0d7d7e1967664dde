using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Inventory;

public static class InventoryService
{
    public const string Name = "inventory";

    public static WebApplicationBuilder AddInventoryService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<InventoryDbContext>(Name);
        return builder;
    }

    public static WebApplication MapInventoryService(this WebApplication app)
    {
        app.MapOutboxStatus<InventoryDbContext>("/inventory");
        return app;
    }
}
