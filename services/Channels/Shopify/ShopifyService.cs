using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Channels.Shopify;

public static class ShopifyService
{
    public const string Name = "shopify";

    public static WebApplicationBuilder AddShopifyService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<ShopifyDbContext>(Name);
        return builder;
    }

    public static WebApplication MapShopifyService(this WebApplication app)
    {
        app.MapOutboxStatus<ShopifyDbContext>("/channels/shopify");
        return app;
    }
}
