using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Shipping.ReportingShipments;

namespace Rakuten.Platform.Shipping;

public static class ShippingService
{
    public const string Name = "shipping";

    public static WebApplicationBuilder AddShippingService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<ShippingDbContext>(Name);
        builder.AddEventStreams<ShippingDbContext>(streams => streams.Aggregate<ShipmentState>(ShipmentStream.Start, ShipmentStream.Apply));
        builder.Services.AddHostedService<ShipmentStreamsUpgrade>();
        builder.Services.AddTransient<IProjectionRebuild, ShipmentProjectionRebuild>();
        builder.AddPlatformBatchConsumer<ShippableOrderConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.AddPlatformConsumer<FulfillmentReportedConsumer>(Name);
        builder.AddPlatformConsumer<ChannelAnswerConsumer>(Name);
        return builder;
    }

    public static WebApplication MapShippingService(this WebApplication app)
    {
        app.MapOutboxStatus<ShippingDbContext>("/shipping");
        var shipping = app.MapPlatformApi<ShippingDbContext>("/shipping").WithTags("Shipping");
        shipping.MapAuditLog<ShippingDbContext>("");
        shipping.MapShipping();
        RetryingShipments.ShipmentRetry.MapShipmentRetry(shipping);
        return app;
    }
}
