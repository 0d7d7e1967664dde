using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Channels.RakutenFr;

public static class RakutenFrService
{
    public const string Name = "rakuten-fr";

    public static WebApplicationBuilder AddRakutenFrService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RakutenFrDbContext>(Name);
        return builder;
    }

    public static WebApplication MapRakutenFrService(this WebApplication app)
    {
        app.MapOutboxStatus<RakutenFrDbContext>("/channels/rakuten-fr");
        return app;
    }
}
