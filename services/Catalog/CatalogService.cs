using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Catalog.Onboarding;
using Rakuten.Platform.Catalog.Pricing;
using Rakuten.Platform.Catalog.PublicApi;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Catalog.SyncingProducts;

namespace Rakuten.Platform.Catalog;

public static class CatalogService
{
    public const string Name = "catalog";

    /// <summary>Where the catalog's API is served.</summary>
    public const string Prefix = "/catalog";

    public static WebApplicationBuilder AddCatalogService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<CatalogDbContext>(Name);
        builder.AddPlatformConsumer<ProductSyncedConsumer>(Name);
        builder.AddPlatformConsumer<ConnectionHealthChangedConsumer>(Name);
        builder.AddPlatformConsumer<ListingPublishedConsumer>(Name);
        builder.AddPlatformConsumer<ListingFailedConsumer>(Name);
        builder.AddPlatformConsumer<ListingWithdrawnConsumer>(Name);
        builder.AddPlatformConsumer<ChannelItemsFoundConsumer>(Name);
        builder.AddPlatformConsumer<OrderButtonChangedConsumer>(Name);
        builder.AddPlatformConsumer<ShopifyProductCreatedConsumer>(Name);
        builder.AddJobs<CatalogDbContext>();
        builder.AddJobHandler<CatalogDbContext, CatalogResyncJob>();
        return builder;
    }

    public static WebApplication MapCatalogService(this WebApplication app)
    {
        app.MapOutboxStatus<CatalogDbContext>("/catalog");
        var catalog = app.MapPlatformApi<CatalogDbContext>(Prefix).WithTags("Catalog");
        catalog.MapAuditLog<CatalogDbContext>("");
        catalog.MapJobs<CatalogDbContext>(Prefix);
        catalog.MapGet("/products", async (Caller caller, CatalogDbContext db, CancellationToken ct) =>
            Results.Ok(await db.Products.AsNoTracking().Where(p => p.TenantId == caller.Tenant && !p.Deleted)
                .OrderBy(p => p.Title).Select(p => new ProductView(p.ProductId, p.ExternalProductId, p.Title, p.SourceVersion)).ToListAsync(ct)))
            .Produces<List<ProductView>>();
        catalog.MapGet("/sku-conflicts", async (Caller caller, CatalogDbContext db, CancellationToken ct) =>
        {
            var claims = await db.SkuClaims.AsNoTracking().Where(c => c.TenantId == caller.Tenant).ToListAsync(ct);
            return Results.Ok(SkuRegistry.Conflicts(claims.Select(c => new SkuClaim(c.VariantId, c.Sku, c.ProductId, c.ProductTitle)))
                .Select(c => new SkuConflictView(c.Sku, c.Reason, c.Claims.Select(x => x.ProductTitle).Distinct().ToList())));
        }).Produces<IEnumerable<SkuConflictView>>();
        catalog.MapListings();
        catalog.MapListingFiles();
        catalog.MapOnboarding();
        catalog.MapPrices();
        app.MapGrpcService<CatalogApi>();
        return app;
    }
}

/// <summary>A product of the catalog (from Shopify): its id, Shopify's id, title and the source version last applied.</summary>
public sealed record ProductView(Guid ProductId, string ExternalProductId, string Title, long SourceVersion);

/// <summary>A SKU claimed by several products: why it blocks their listings, and which products claim it.</summary>
public sealed record SkuConflictView(string Sku, string Reason, IReadOnlyList<string> Products);
