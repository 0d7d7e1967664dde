using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.CancellingOrders;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.Genres;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.Onboarding;
using Rakuten.Platform.Channels.RakutenJp.PublishingItems;
using Rakuten.Platform.Channels.RakutenJp.PushingStock;
using Rakuten.Platform.Channels.RakutenJp.ReportingShipments;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Channels.RakutenJp.TrackingOrders;
using Rakuten.Platform.Channels.RakutenJp.UploadingImages;

namespace Rakuten.Platform.Channels.RakutenJp;

public static class RakutenJpService
{
    public const string Name = "rakuten-jp";

    /// <summary>Where the Rakuten JP channel's API is served.</summary>
    public const string Prefix = "/channels/rakuten-jp";

    public static WebApplicationBuilder AddRakutenJpService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RakutenJpDbContext>(Name);
        builder.AddStateProbe<ConnectionsProbe<RakutenJpDbContext>>();
        builder.AddConnectionSecrets();
        builder.AddMarketplaceClient<RakutenJpDbContext>(RmsClient.HttpClient, Contracts.Channel.RakutenJp);
        builder.Services.AddSingleton<RmsClient>();
        builder.Services.AddSingleton<RmsLicenseClient>();
        builder.Services.AddSingleton<RmsShopClient>();
        builder.Services.AddSingleton<IChannelConnector<RmsCredentials>, RmsConnector>();
        builder.Services.AddHostedService<LicenseExpiryWatch>();
        builder.Services.AddSingleton<RmsOrderClient>();
        builder.Services.AddSingleton<ConfirmingOrders.OrderConfirmer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfirmingOrders.OrderConfirmer>());
        builder.AddPlatformConsumer<ConfirmingOrders.OrderExportedConsumer>(Name);
        builder.Services.AddSingleton<RmsOrderImporter>();
        builder.Services.AddSingleton<RmsOrderPoller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RmsOrderPoller>());
        builder.Services.AddSingleton<RmsStatusSweep>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RmsStatusSweep>());
        builder.AddPlatformConsumer<OrderCancellationRequestedConsumer>(Name);
        builder.AddPlatformConsumer<ShipmentDispatchedConsumer>(Name);
        builder.Services.AddSingleton<RmsItemClient>();
        builder.Services.AddSingleton<ItemPublisher>();
        builder.Services.AddSingleton<RmsCabinetClient>();
        builder.Services.AddSingleton<CabinetUploader>();
        // Images are downloaded from Shopify's CDN only, through the outbound policy's checks, 2 MB at most, in 30 s.
        builder.Services.AddHttpClient(CabinetUploader.Downloads, c => c.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<OutboundPolicy>().ImageHandler());
        builder.AddPlatformConsumer<ListingRequestedConsumer>(Name);
        builder.Services.AddSingleton<RmsInventoryClient>();
        builder.Services.AddSingleton<StockPusher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StockPusher>());
        // Up to 20 messages of up to 100 changes each a transaction, the newest per SKU written; a lone change waits at
        // most 20 ms for company.
        builder.AddPlatformBatchConsumer<ChannelStockChangedConsumer>(Name, messageLimit: 20, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.AddJobs<RakutenJpDbContext>();
        builder.AddJobHandler<RakutenJpDbContext, StockReconcileJob>();
        builder.AddJobHandler<RakutenJpDbContext, ItemInventoryJob>();
        builder.AddJobHandler<RakutenJpDbContext, OrderSyncJob>();
        builder.AddPlatformConsumer<OrderSyncDecisionConsumer>(Name);
        builder.Services.AddSingleton<IConnectionAdded<RakutenJpDbContext>>(sp => new JobOnConnect<RakutenJpDbContext>(sp.GetRequiredService<JobSignal<RakutenJpDbContext>>(), ItemInventoryJob.Kind));
        builder.AddPlatformConsumer<OrderButtonRequestedConsumer>(Name);
        return builder;
    }

    public static WebApplication MapRakutenJpService(this WebApplication app)
    {
        app.MapOutboxStatus<RakutenJpDbContext>("/channels/rakuten-jp");
        var api = app.MapPlatformApi<RakutenJpDbContext>(Prefix).WithTags("Rakuten JP");
        api.MapConnections<RakutenJpDbContext, RmsCredentials>();
        app.MapConnectionsGrpc();
        api.MapAuditLog<RakutenJpDbContext>("");
        api.MapGenres();
        api.MapImages();
        ConfirmingOrders.OrderSettingsEndpoints.MapOrderSettings(api);
        api.MapOrderSync();
        // The merchant's "sync stock": push every SKU again; and the reconciliation on demand (read RMS back, repair).
        api.MapPost("/connections/{id:guid}/sync-stock", async (Guid id, Caller caller, RakutenJpDbContext db, StockPusher pusher, TimeProvider clock, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var queued = await pusher.ResyncAsync(db, id, ct);
            db.Audit(caller, "stock.sync", $"connection/{id}", clock.GetUtcNow(), detail: $"{queued} SKU(s) queued");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Accepted(value: new StockSyncQueued(queued));
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<StockSyncQueued>(StatusCodes.Status202Accepted);
        // The reconciliation on demand, as a job: 202 with it, its progress at /channels/rakuten-jp/jobs/{id}.
        api.MapConnectionJob<RakutenJpDbContext>("reconcile-stock", StockReconcileJob.Kind, Prefix);
        // The inventory of the shop's existing items again (it runs by itself when the connection is added).
        api.MapConnectionJob<RakutenJpDbContext>("inventory-items", ItemInventoryJob.Kind, Prefix);
        api.MapJobs<RakutenJpDbContext>(Prefix);
        api.MapGet("/connections/{id:guid}/stock", async (Guid id, Caller caller, RakutenJpDbContext db, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: false, tracked: false, ct);
            return Results.Ok(await db.StockPushes.AsNoTracking().Where(p => p.ConnectionId == id).OrderBy(p => p.Sku)
                .Select(p => new StockPushView(p.Sku, p.Quantity, p.Version, p.PushedQuantity, p.Version > p.PushedVersion, p.Error)).ToListAsync(ct));
        }).Produces<List<StockPushView>>();
        return app;
    }
}

/// <summary>How many of the connection's SKUs are queued to be pushed to RMS again.</summary>
public sealed record StockSyncQueued(int Queued);

/// <summary>A SKU's stock as the platform wants it in RMS (<c>Quantity</c>, <c>Version</c>) and as last accepted by RMS
/// (<c>PushedQuantity</c>); <c>Pending</c> while a newer quantity waits to be pushed; RMS's last refusal in <c>Error</c>.</summary>
public sealed record StockPushView(string Sku, int Quantity, long Version, int? PushedQuantity, bool Pending, string? Error);
