using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Channels.Shopify;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("shopify");
builder.AddShopifyService();
builder.AddPlatformBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapShopifyService();
app.Run();
