using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Inventory;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("inventory");
builder.AddInventoryService();
builder.AddPlatformBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapInventoryService();
app.Run();
