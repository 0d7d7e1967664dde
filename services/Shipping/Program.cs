using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Shipping;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("shipping");
builder.AddShippingService();
builder.AddPlatformBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapShippingService();
app.Run();
