using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Channels.RakutenJp;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("rakuten-jp");
builder.AddRakutenJpService();
builder.AddPlatformBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRakutenJpService();
app.Run();
