using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.TestService;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("probe");
builder.AddProbeService();
builder.AddPlatformBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapProbeService();
app.Run();
