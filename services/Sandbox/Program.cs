using Rakuten.Platform.Sandbox;

var builder = WebApplication.CreateBuilder(args);
builder.AddSandbox();

var app = builder.Build();
app.MapSandbox();
app.MapOpenApi();
app.Run();
