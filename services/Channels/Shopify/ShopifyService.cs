using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.CancellingOrders;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ExportingOrders;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Channels.Shopify.SyncingProducts;
using Rakuten.Platform.Channels.Shopify.SyncingStock;

namespace Rakuten.Platform.Channels.Shopify;

public static class ShopifyService
{
    public const string Name = "shopify";

    /// <summary>Where the Shopify channel's API is served.</summary>
    public const string Prefix = "/channels/shopify";

    public static WebApplicationBuilder AddShopifyService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<ShopifyDbContext>(Name);
        builder.AddStateProbe<ConnectionsProbe<ShopifyDbContext>>();
        builder.AddConnectionSecrets();
        builder.AddMarketplaceClient<ShopifyDbContext>("shopify", Contracts.Channel.Shopify);
        builder.Services.AddSingleton<IChannelConnector<ShopifyCredentials>, ShopifyConnector>();
        builder.Services.AddSingleton<ShopifyAdminClient>();
        builder.Services.AddSingleton<ShopifyOrderCanceller>();
        builder.Services.AddSingleton<IRunsBetweenExports>(sp => sp.GetRequiredService<ShopifyOrderCanceller>());
        builder.Services.AddSingleton<OrderExporter>();
        builder.AddPlatformConsumer<OrderCancelledConsumer>(Name);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderExporter>());
        builder.AddPlatformBatchConsumer<OrderAcceptedConsumer>(Name, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<IConnectionAdded<ShopifyDbContext>>(sp => sp.GetRequiredService<WebhookSecrets>());
        builder.Services.AddSingleton<WebhookReceipts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookReceipts>());
        builder.Services.AddSingleton<WebhookProcessor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookProcessor>());
        builder.Services.AddSingleton<ProductImport>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProductImport>());
        builder.Services.AddSingleton<IConnectionAdded<ShopifyDbContext>>(sp => sp.GetRequiredService<ProductImport>());
        builder.AddJobs<ShopifyDbContext>();
        builder.AddJobHandler<ShopifyDbContext, ProductImportJob>();
        return builder;
    }

    public static WebApplication MapShopifyService(this WebApplication app)
    {
        app.MapOutboxStatus<ShopifyDbContext>("/channels/shopify");
        var api = app.MapPlatformApi<ShopifyDbContext>(Prefix).WithTags("Shopify");
        api.MapConnections<ShopifyDbContext, ShopifyCredentials>();
        app.MapConnectionsGrpc();
        api.MapAuditLog<ShopifyDbContext>("");
        app.MapShopifyWebhooks();
        // The merchant's "import products": every product and stock level read again from Shopify (what the hourly
        // reconciliation does), as a job — 202 with it, its progress at /channels/shopify/jobs/{id}.
        api.MapConnectionJob<ShopifyDbContext>("import-products", ProductImportJob.Kind, Prefix);
        api.MapJobs<ShopifyDbContext>(Prefix);
        return app;
    }
}
