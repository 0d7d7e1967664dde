using Rakuten.Platform.BuildingBlocks.Hosting;
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
        return builder;
    }

    public static WebApplication MapShopifyService(this WebApplication app)
    {
        app.MapOutboxStatus<ShopifyDbContext>("/channels/shopify");
        var api = app.MapPlatformApi<ShopifyDbContext>("/channels/shopify").WithTags("Shopify");
        api.MapConnections<ShopifyDbContext, ShopifyCredentials>();
        app.MapConnectionsGrpc();
        api.MapAuditLog<ShopifyDbContext>("");
        app.MapShopifyWebhooks();
        // The merchant's "import products": every product and stock level read again from Shopify (what the hourly
        // reconciliation does), at once.
        api.MapPost("/connections/{id:guid}/import-products", async (Guid id, Caller caller, ShopifyDbContext db, ProductImport import, TimeProvider clock, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var recorded = false;
            int imported;
            try
            {
                // The audit entry commits with the import's first page: no product is handed on without it.
                imported = await import.ImportAsync(id, ct, unit =>
                {
                    unit.Audit(caller, "products.import", $"connection/{id}", clock.GetUtcNow());
                    recorded = true;
                });
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or System.Text.Json.JsonException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                if (!recorded)
                {
                    await db.AuditRefusalAsync(caller, "products.import", $"connection/{id}", clock.GetUtcNow(), "Shopify could not be read", ct);
                }

                return ApiErrors.Problem(StatusCodes.Status502BadGateway, "Shopify could not be read",
                    "The products were not all imported (what was read is kept). Check the connection (POST …/check) and try again.");
            }

            return Results.Ok(new ProductsImported(imported));
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<ProductsImported>();
        return app;
    }
}

/// <summary>How many products were read from Shopify and handed to the catalog.</summary>
public sealed record ProductsImported(int Imported);
