using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Catalog.PublicApi;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Catalog.SyncingProducts;

namespace Rakuten.Platform.Catalog;

public static class CatalogService
{
    public const string Name = "catalog";

    public static WebApplicationBuilder AddCatalogService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<CatalogDbContext>(Name);
        builder.AddPlatformConsumer<ProductSyncedConsumer>(Name);
        builder.AddPlatformConsumer<ConnectionHealthChangedConsumer>(Name);
        builder.AddPlatformConsumer<ListingPublishedConsumer>(Name);
        builder.AddPlatformConsumer<ListingFailedConsumer>(Name);
        builder.AddPlatformConsumer<ListingWithdrawnConsumer>(Name);
        return builder;
    }

    public static WebApplication MapCatalogService(this WebApplication app)
    {
        app.MapOutboxStatus<CatalogDbContext>("/catalog");
        var catalog = app.MapPlatformApi<CatalogDbContext>("/catalog").WithTags("Catalog");
        catalog.MapAuditLog<CatalogDbContext>("");
        catalog.MapGet("/products", async (Caller caller, CatalogDbContext db, CancellationToken ct) =>
            Results.Ok(await db.Products.AsNoTracking().Where(p => p.TenantId == caller.Tenant && !p.Deleted)
                .OrderBy(p => p.Title).Select(p => new { p.ProductId, p.ExternalProductId, p.Title, p.SourceVersion }).ToListAsync(ct)));
        catalog.MapGet("/sku-conflicts", async (Caller caller, CatalogDbContext db, CancellationToken ct) =>
        {
            var claims = await db.SkuClaims.AsNoTracking().Where(c => c.TenantId == caller.Tenant).ToListAsync(ct);
            return Results.Ok(SkuRegistry.Conflicts(claims.Select(c => new SkuClaim(c.VariantId, c.Sku, c.ProductId, c.ProductTitle)))
                .Select(c => new { c.Sku, c.Reason, products = c.Claims.Select(x => x.ProductTitle).Distinct() }));
        });
        catalog.MapListings();
        app.MapGrpcService<CatalogApi>();
        return app;
    }
}
