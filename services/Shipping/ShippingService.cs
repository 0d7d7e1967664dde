using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Shipping;

public static class ShippingService
{
    public const string Name = "shipping";

    public static WebApplicationBuilder AddShippingService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<ShippingDbContext>(Name);
        return builder;
    }

    public static WebApplication MapShippingService(this WebApplication app)
    {
        app.MapOutboxStatus<ShippingDbContext>("/shipping");
        return app;
    }
}
