using Rakuten.Platform.BuildingBlocks.Hosting;

namespace Rakuten.Platform.Host;

public static class HostStatus
{
    /// <summary><c>GET /</c>: what this process runs and where to look next.</summary>
    public static WebApplication MapHostStatus(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<PlatformOptions>();
        app.MapGet("/", () => Results.Ok(new
        {
            platform = "Rakuten.Platform",
            mode = options.Mode.ToString(),
            dataDirectory = options.Mode == PlatformMode.Embedded ? options.DataDirectory : null,
            services = new[] { "catalog", "inventory", "orders", "shipping", "channels/shopify", "channels/rakuten-jp", "channels/rakuten-fr" },
            sandbox = "/sandbox",
            health = new[] { "/health/live", "/health/ready" },
            outbox = "/{service}/ops/outbox",
        }));
        return app;
    }
}
