using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Orders;

public static class OrdersService
{
    public const string Name = "orders";

    public static WebApplicationBuilder AddOrdersService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<OrdersDbContext>(Name);
        return builder;
    }

    public static WebApplication MapOrdersService(this WebApplication app)
    {
        app.MapOutboxStatus<OrdersDbContext>("/orders");
        return app;
    }
}
