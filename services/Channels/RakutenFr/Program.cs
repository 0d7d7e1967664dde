using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Channels.RakutenFr;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("rakuten-fr");
builder.AddRakutenFrService();
builder.AddPlatformBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRakutenFrService();
app.Run();
