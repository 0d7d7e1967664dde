using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Orders;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("orders");
builder.AddOrdersService();
builder.AddPlatformBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOrdersService();
app.Run();
