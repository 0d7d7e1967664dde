using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Channels.Shopify.CancellingOrders;
using Rakuten.Platform.Channels.Shopify.ExportingOrders;
using Rakuten.Platform.Channels.Shopify.SyncingProducts;
using Rakuten.Platform.Channels.Shopify.SyncingStock;

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
        builder.Services.AddSingleton<ShopifyAdminClient>();
        builder.Services.AddSingleton<ShopifyOrderCanceller>();
        builder.Services.AddSingleton<OrderExporter>();
        builder.AddPlatformConsumer<OrderCancelledConsumer>(Name);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderExporter>());
        builder.AddPlatformBatchConsumer<OrderAcceptedConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<WebhookReceipts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookReceipts>());
        builder.Services.AddSingleton<WebhookProcessor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookProcessor>());
        builder.Services.AddSingleton<ProductImport>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProductImport>());
        builder.Services.AddSingleton<IConnectionAdded<ShopifyDbContext>>(sp => sp.GetRequiredService<ProductImport>());
        return builder;
    }

    public static WebApplication MapShopifyService(this WebApplication app)
    {
        app.MapOutboxStatus<ShopifyDbContext>("/channels/shopify");
        app.MapConnections<ShopifyDbContext, ShopifyCredentials>("/channels/shopify");
        app.MapShopifyWebhooks();
        app.MapPost("/channels/shopify/connections/{id:guid}/import-products", async (Guid id, ProductImport import, CancellationToken ct) =>
            Results.Ok(new { imported = await import.ImportAsync(id, ct) })).WithTags("Connections /channels/shopify");
        return app;
    }
}
