using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Catalog;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("catalog");
builder.AddCatalogService();
builder.AddPlatformBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapCatalogService();
app.Run();
