using Microsoft.EntityFrameworkCore;
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
        builder.Services.AddSingleton<Connecting.ShopCurrency>();
        builder.Services.AddSingleton<ShopifyOrderCanceller>();
        builder.Services.AddSingleton<IRunsBetweenExports>(sp => sp.GetRequiredService<ShopifyOrderCanceller>());
        builder.Services.AddSingleton<IRunsBetweenExports, ApplyingStatusActions.ShopifyOrderActionsApplier>();
        builder.Services.AddSingleton<IRunsBetweenExports, EditingOrders.ShopifyOrderEditor>();
        builder.AddPlatformConsumer<ApplyingStatusActions.OrderShopifyActionsRequestedConsumer>(Name);
        builder.Services.AddSingleton<OrderExporter>();
        builder.AddPlatformConsumer<OrderCancelledConsumer>(Name);
        builder.AddPlatformConsumer<EditingOrders.OrderLinesChangedConsumer>(Name);
        builder.AddPlatformConsumer<KitChangedConsumer>(Name);
        builder.AddPlatformConsumer<SyncingProducts.ShopifyProductRequestedConsumer>(Name);
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
        builder.Services.AddSingleton<WebhookSubscriptions>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookSubscriptions>());
        builder.Services.AddSingleton<IConnectionAdded<ShopifyDbContext>>(sp => sp.GetRequiredService<WebhookSubscriptions>());
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
        // The store's webhook subscriptions: as last checked, or checked and repaired now.
        api.MapGet("/connections/{id:guid}/webhooks", async (Guid id, Caller caller, ShopifyDbContext db, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: false, tracked: false, ct);
            return Results.Ok((await db.WebhookSubscriptions.AsNoTracking().Where(w => w.ConnectionId == id).ToListAsync(ct))
                .OrderBy(w => w.Topic).Select(WebhookSubscriptionView.Of).ToList());
        }).Produces<List<WebhookSubscriptionView>>();
        api.MapPost("/connections/{id:guid}/webhooks/repair", async (Guid id, Caller caller, ShopifyDbContext db, WebhookSubscriptions subscriptions, TimeProvider clock, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var rows = await subscriptions.EnsureAsync(id, ct);
            db.Audit(caller, "webhooks.repair", $"connection/{id}", clock.GetUtcNow(), detail: $"{rows.Count(r => r.Error is null)} of {rows.Count} registered");
            await db.SaveChangesAsync(ct);
            return Results.Ok(rows.Select(WebhookSubscriptionView.Of).ToList());
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<List<WebhookSubscriptionView>>();
        // The merchant's "import products": every product and stock level read again from Shopify (what the hourly
        // reconciliation does), as a job — 202 with it, its progress at /channels/shopify/jobs/{id}.
        api.MapConnectionJob<ShopifyDbContext>("import-products", ProductImportJob.Kind, Prefix);
        api.MapJobs<ShopifyDbContext>(Prefix);
        return app;
    }
}

/// <summary>One webhook topic in the store: registered (its Shopify id) or why not, and when it was last checked.</summary>
public sealed record WebhookSubscriptionView(string Topic, bool Registered, string? SubscriptionId, string CallbackUrl, string? Error, DateTimeOffset CheckedAt)
{
    public static WebhookSubscriptionView Of(WebhookSubscriptionRow row) =>
        new(row.Topic, row.SubscriptionId is not null && row.Error is null, row.SubscriptionId, row.CallbackUrl, row.Error, row.CheckedAt);
}
