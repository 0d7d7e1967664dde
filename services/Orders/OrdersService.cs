using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Orders.ImportingOrders;

namespace Rakuten.Platform.Orders;

public static class OrdersService
{
    public const string Name = "orders";

    public static WebApplicationBuilder AddOrdersService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<OrdersDbContext>(Name);
        builder.AddPlatformConsumer<ChannelOrderReceivedConsumer>(Name);
        builder.AddPlatformConsumer<ProductSyncedConsumer>(Name);
        builder.AddPlatformConsumer<OrderExportedConsumer>(Name);
        builder.AddPlatformConsumer<ShopifyRefusedConsumer>(Name);
        return builder;
    }

    public static WebApplication MapOrdersService(this WebApplication app)
    {
        app.MapOutboxStatus<OrdersDbContext>("/orders");
        app.MapGroup("/orders").WithTags("Orders").MapOrders();
        return app;
    }
}
