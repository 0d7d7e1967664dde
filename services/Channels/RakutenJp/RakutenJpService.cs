using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Channels.RakutenJp;

public static class RakutenJpService
{
    public const string Name = "rakuten-jp";

    public static WebApplicationBuilder AddRakutenJpService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RakutenJpDbContext>(Name);
        return builder;
    }

    public static WebApplication MapRakutenJpService(this WebApplication app)
    {
        app.MapOutboxStatus<RakutenJpDbContext>("/channels/rakuten-jp");
        return app;
    }
}
