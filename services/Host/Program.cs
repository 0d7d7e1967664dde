using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Catalog;
using Rakuten.Platform.Channels.RakutenFr;
using Rakuten.Platform.Channels.RakutenJp;
using Rakuten.Platform.Channels.Shopify;
using Rakuten.Platform.Host;
using Rakuten.Platform.Inventory;
using Rakuten.Platform.Orders;
using Rakuten.Platform.Sandbox;
using Rakuten.Platform.Shipping;

// `dotnet run --project services/Host -- token …` prints a token of the embedded demo's own key, and exits.
if (args is ["token", ..])
{
    return DemoAccess.PrintToken(args[1..]);
}

// `dotnet run --project services/Host -- rebuild-projections` rebuilds the read models of the event-sourced services from their events, and exits.
if (args is ["rebuild-projections", ..])
{
    return await ProjectionRebuilds.RunAsync(args[1..]);
}

// Every service and the Sandbox in one process (DESIGN §5): in embedded mode over the in-memory bus and
// SQLite files; the same composition runs distributed when Platform:Mode says so.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("rakuten-platform-host");
builder.AddCatalogService().AddInventoryService().AddOrdersService().AddShippingService();
builder.AddShopifyService().AddRakutenJpService().AddRakutenFrService();
builder.AddSandbox(stateFile: Path.Combine(PlatformOptions.From(builder.Configuration, "rakuten-platform-host").DataDirectory, "sandbox-state.json"));
builder.AddPlatformBus();
builder.Services.AddSingleton<DemoAccess>().AddHostedService(sp => sp.GetRequiredService<DemoAccess>());
builder.Services.AddHostedService<DemoConnections>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapCatalogService().MapInventoryService().MapOrdersService().MapShippingService();
app.MapShopifyService().MapRakutenJpService().MapRakutenFrService();
app.MapSandbox();
app.MapHostStatus();
app.Run();
return 0;
