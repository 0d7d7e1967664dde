using Rakuten.Platform.Sandbox;

var builder = WebApplication.CreateBuilder(args);
builder.AddSandbox();
builder.Services.AddOpenApi();

var app = builder.Build();
app.MapSandbox();
app.MapOpenApi();
app.Run();
