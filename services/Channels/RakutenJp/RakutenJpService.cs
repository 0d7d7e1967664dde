using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.PublishingItems;
using Rakuten.Platform.BuildingBlocks.Messaging;

namespace Rakuten.Platform.Channels.RakutenJp;

public static class RakutenJpService
{
    public const string Name = "rakuten-jp";

    public static WebApplicationBuilder AddRakutenJpService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RakutenJpDbContext>(Name);
        builder.AddConnectionSecrets();
        builder.Services.AddHttpClient("rms", c => c.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton<RmsLicenseClient>();
        builder.Services.AddSingleton<IChannelConnector<RmsCredentials>, RmsConnector>();
        builder.Services.AddHostedService<LicenseExpiryWatch>();
        builder.Services.AddSingleton<RmsOrderClient>();
        builder.Services.AddSingleton<RmsOrderPoller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RmsOrderPoller>());
        builder.Services.AddSingleton<RmsRateGate>();
        builder.Services.AddSingleton<RmsItemClient>();
        builder.Services.AddSingleton<ItemPublisher>();
        builder.AddPlatformConsumer<ListingRequestedConsumer>(Name);
        return builder;
    }

    public static WebApplication MapRakutenJpService(this WebApplication app)
    {
        app.MapOutboxStatus<RakutenJpDbContext>("/channels/rakuten-jp");
        app.MapConnections<RakutenJpDbContext, RmsCredentials>("/channels/rakuten-jp");
        return app;
    }
}
