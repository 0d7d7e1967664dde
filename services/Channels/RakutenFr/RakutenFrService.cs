using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.CancellingSales;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Channels.RakutenFr.ImportingSales;
using Rakuten.Platform.Channels.RakutenFr.Onboarding;
using Rakuten.Platform.Channels.RakutenFr.PublishingOffers;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Channels.RakutenFr.ReportingShipments;

namespace Rakuten.Platform.Channels.RakutenFr;

public static class RakutenFrService
{
    public const string Name = "rakuten-fr";

    public static WebApplicationBuilder AddRakutenFrService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RakutenFrDbContext>(Name);
        builder.AddStateProbe<ConnectionsProbe<RakutenFrDbContext>>();
        builder.AddConnectionSecrets();
        builder.AddMarketplaceClient<RakutenFrDbContext>("rakuten-fr", Contracts.Channel.RakutenFr);
        builder.Services.AddSingleton<IChannelConnector<RakutenFrCredentials>, RakutenFrConnector>();
        builder.Services.AddSingleton<RakutenFrStockClient>();
        builder.Services.AddSingleton<OfferCatalogCache>();
        builder.Services.AddSingleton<ProductPages.ProductTypeTemplates>();
        builder.Services.AddSingleton<OfferFilePusher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OfferFilePusher>());
        builder.AddPlatformConsumer<ListingRequestedConsumer>(Name);
        builder.Services.AddSingleton<AwaitingOfferRetry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AwaitingOfferRetry>());
        // Up to 20 messages of up to 100 changes each a transaction, the newest per SKU written; a lone change waits at
        // most 20 ms for company.
        builder.AddPlatformBatchConsumer<ChannelStockChangedConsumer>(Name, messageLimit: 20, timeLimit: TimeSpan.FromMilliseconds(20));
        builder.Services.AddSingleton<RakutenFrSalesClient>();
        builder.Services.AddSingleton<RakutenFrSalesPoller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RakutenFrSalesPoller>());
        builder.AddPlatformConsumer<SaleSettledConsumer>(Name);
        builder.AddPlatformConsumer<OrderCancellationRequestedConsumer>(Name);
        builder.AddPlatformConsumer<ShipmentDispatchedConsumer>(Name);
        builder.AddPlatformConsumer<ExistingItemDecidedConsumer>(Name);
        builder.AddJobs<RakutenFrDbContext>();
        builder.AddJobHandler<RakutenFrDbContext, OfferInventoryJob>();
        builder.Services.AddSingleton<IConnectionAdded<RakutenFrDbContext>>(sp => new JobOnConnect<RakutenFrDbContext>(sp.GetRequiredService<JobSignal<RakutenFrDbContext>>(), OfferInventoryJob.Kind));
        return builder;
    }

    public static WebApplication MapRakutenFrService(this WebApplication app)
    {
        app.MapOutboxStatus<RakutenFrDbContext>("/channels/rakuten-fr");
        var api = app.MapPlatformApi<RakutenFrDbContext>("/channels/rakuten-fr").WithTags("Rakuten France");
        api.MapConnections<RakutenFrDbContext, RakutenFrCredentials>();
        ProductPages.ProductTypeEndpoints.MapProductTypes(api);
        // The inventory of the seller's existing offers again (it runs by itself when the connection is added).
        api.MapConnectionJob<RakutenFrDbContext>("inventory-offers", OfferInventoryJob.Kind, "/channels/rakuten-fr");
        api.MapJobs<RakutenFrDbContext>("/channels/rakuten-fr");
        app.MapConnectionsGrpc();
        api.MapAuditLog<RakutenFrDbContext>("");
        // The stock files sent for a connection and the lines Rakuten refused, per SKU.
        api.MapGet("/connections/{id:guid}/stock-files", async (Guid id, Caller caller, RakutenFrDbContext db, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: false, tracked: false, ct);
            return Results.Ok((await db.OfferImports.AsNoTracking().Where(i => i.ConnectionId == id).OrderByDescending(i => i.SentAt).Take(50).ToListAsync(ct))
                .Select(i => new StockFileView(i.ImportId, i.SentAt, i.Status, i.Done, System.Text.Json.JsonSerializer.Deserialize<string[]>(i.Failures) ?? [])));
        }).Produces<IEnumerable<StockFileView>>();
        // The units sold on Rakuten France: what the platform decided (accepted, or refused and why) and their status.
        api.MapGet("/connections/{id:guid}/sales", async (Guid id, Caller caller, RakutenFrDbContext db, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: false, tracked: false, ct);
            return Results.Ok((await db.SaleItems.AsNoTracking().Where(i => i.ConnectionId == id).OrderByDescending(i => i.PurchaseId).ThenBy(i => i.ItemId).Take(500).ToListAsync(ct))
                .Select(i => new SaleView(i.PurchaseId, i.ItemId, i.Sku, i.Decision, i.Reason, i.Status, i.DecidedAt)));
        }).Produces<IEnumerable<SaleView>>();
        return app;
    }
}

/// <summary>A stock file sent to Rakuten France: its import id, Rakuten's status for it, whether Rakuten finished it,
/// and the lines it refused ("SKU: reason").</summary>
public sealed record StockFileView(long ImportId, DateTimeOffset SentAt, string Status, bool Done, string[] Failures);

/// <summary>A unit sold on Rakuten France and what the platform decided for it (accepted, or refused and why).</summary>
public sealed record SaleView(long PurchaseId, long ItemId, string Sku, string Decision, string? Reason, string Status, DateTimeOffset DecidedAt);
