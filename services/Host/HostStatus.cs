namespace Rakuten.Platform.Host;

public static class HostStatus
{
    /// <summary><c>GET /</c>, for anyone: what this process runs and where to look next — no path of the machine, no
    /// setting, nothing of a tenant.</summary>
    public static WebApplication MapHostStatus(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Rakuten.Platform.BuildingBlocks.Hosting.PlatformOptions>();
        app.MapGet("/", () => Results.Ok(new
        {
            platform = "Rakuten.Platform",
            mode = options.Mode.ToString(),
            services = new[] { "catalog", "inventory", "orders", "shipping", "channels/shopify", "channels/rakuten-jp", "channels/rakuten-fr" },
            authentication = "Authorization: Bearer <token> or X-Api-Key: <key> on every API call (embedded demo: the token the Host printed at start, " +
                             "or `dotnet run --project services/Host -- token`)",
            sandbox = "/sandbox",
            health = new[] { "/health/live", "/health/ready" },
            audit = "/{service}/audit",
        })).AllowAnonymous();
        return app;
    }
}
