using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Orders.CancellingOrders;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.Orders.PublicApi;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Orders;

public static class OrdersService
{
    public const string Name = "orders";

    public static WebApplicationBuilder AddOrdersService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<OrdersDbContext>(Name);
        builder.AddEventStreams<OrdersDbContext>(streams => streams.Aggregate<OrderState>(OrderStream.Start, OrderStream.Apply));
        builder.Services.AddTransient<IProjectionRebuild, OrderProjectionRebuild>();
        // Two batches at once: with one, the import fell 11–20 s behind the RMS poller at the ceiling (docs/orders.md, Measured).
        builder.AddPlatformBatchConsumer<ChannelOrderReceivedConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20), concurrencyLimit: 2);
        builder.AddPlatformConsumer<ProductSyncedConsumer>(Name);
        builder.AddPlatformBatchConsumer<OrderExportedConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.AddPlatformConsumer<ShopifyRefusedConsumer>(Name);
        builder.AddPlatformConsumer<PreviousShopifyRefusalConsumer>(Name);
        builder.AddPlatformConsumer<ChannelOrderStatusChangedConsumer>(Name);
        builder.AddPlatformConsumer<OrderCancellationRefusedConsumer>(Name);
        builder.AddPlatformConsumer<ShipmentConsumers>(Name);
        builder.AddPlatformConsumer<MappingStatuses.OrderConnectionConsumer>(Name);
        builder.AddPlatformConsumer<ChangingLines.ShopifyOrderEditedConsumer>(Name);
        builder.AddStateProbe<HoldsProbe>();
        return builder;
    }

    public static WebApplication MapOrdersService(this WebApplication app)
    {
        app.MapOutboxStatus<OrdersDbContext>("/orders");
        var orders = app.MapPlatformApi<OrdersDbContext>("/orders").WithTags("Orders");
        orders.MapAuditLog<OrdersDbContext>("");
        orders.MapOrders();
        orders.MapCancellations();
        MappingStatuses.StatusMappingEndpoints.MapStatusMapping(orders);
        NeedsAttention.AttentionEndpoints.MapAttention(orders);
        app.MapGrpcService<OrdersApi>();
        app.MapGrpcService<HoldsApi>();
        return app;
    }
}
