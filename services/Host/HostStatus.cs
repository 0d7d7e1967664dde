namespace Rakuten.Platform.Host;

public static class HostStatus
{
    /// <summary><c>GET /</c>, for anyone: what this process runs and where to look next — no path of the machine, no
    /// setting, nothing of a tenant.</summary>
    public static WebApplication MapHostStatus(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Rakuten.Platform.BuildingBlocks.Hosting.PlatformOptions>();
        app.MapGet("/", () => Results.Ok(new HostInfo(
            "Rakuten.Platform",
            options.Mode.ToString(),
            ["catalog", "inventory", "orders", "shipping", "channels/shopify", "channels/rakuten-jp", "channels/rakuten-fr"],
            "Authorization: Bearer <token> or X-Api-Key: <key> on every API call (embedded demo: the token the Host printed at start, " +
            "or `dotnet run --project services/Host -- token`)",
            "/sandbox",
            ["/health/live", "/health/ready"],
            "/{service}/audit",
            "/openapi/v1.json"))).AllowAnonymous().Produces<HostInfo>();
        return app;
    }
}

/// <summary>What this process runs and where to look next.</summary>
public sealed record HostInfo(string Platform, string Mode, string[] Services, string Authentication, string Sandbox, string[] Health, string Audit, string OpenApi);
