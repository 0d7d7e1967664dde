using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Catalog;

public static class CatalogService
{
    public const string Name = "catalog";

    public static WebApplicationBuilder AddCatalogService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<CatalogDbContext>(Name);
        return builder;
    }

    public static WebApplication MapCatalogService(this WebApplication app)
    {
        app.MapOutboxStatus<CatalogDbContext>("/catalog");
        return app;
    }
}
