using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.RakutenFr.Connecting;

namespace Rakuten.Platform.Channels.RakutenFr;

public static class RakutenFrService
{
    public const string Name = "rakuten-fr";

    public static WebApplicationBuilder AddRakutenFrService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RakutenFrDbContext>(Name);
        builder.AddConnectionSecrets();
        builder.Services.AddHttpClient("rakuten-fr", c => c.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton<IChannelConnector<RakutenFrCredentials>, RakutenFrConnector>();
        return builder;
    }

    public static WebApplication MapRakutenFrService(this WebApplication app)
    {
        app.MapOutboxStatus<RakutenFrDbContext>("/channels/rakuten-fr");
        app.MapConnections<RakutenFrDbContext, RakutenFrCredentials>("/channels/rakuten-fr");
        return app;
    }
}
