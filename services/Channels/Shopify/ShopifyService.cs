using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Shopify.Connecting;

namespace Rakuten.Platform.Channels.Shopify;

public static class ShopifyService
{
    public const string Name = "shopify";

    public static WebApplicationBuilder AddShopifyService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<ShopifyDbContext>(Name);
        builder.AddConnectionSecrets();
        builder.Services.AddHttpClient("shopify", c => c.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton<IChannelConnector<ShopifyCredentials>, ShopifyConnector>();
        return builder;
    }

    public static WebApplication MapShopifyService(this WebApplication app)
    {
        app.MapOutboxStatus<ShopifyDbContext>("/channels/shopify");
        app.MapConnections<ShopifyDbContext, ShopifyCredentials>("/channels/shopify");
        return app;
    }
}
