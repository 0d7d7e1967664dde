namespace Rakuten.Platform.Sandbox;

/// <summary>Imitations of RMS, Rakuten France and the Shopify Admin API (issue 3 fills them in). They are
/// mapped under <c>/rms</c>, <c>/rakuten-fr</c> and <c>/shopify/{shop}</c> of whichever app hosts them:
/// standalone, or inside <c>services/Host</c> for the embedded demo.</summary>
public static class SandboxService
{
    public static WebApplicationBuilder AddSandbox(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapSandbox(this WebApplication app)
    {
        app.MapGet("/sandbox", () => Results.Ok(new
        {
            name = "Rakuten.Platform Sandbox",
            apis = new[] { "/rms", "/rakuten-fr", "/shopify/{shop}" },
        }));
        return app;
    }
}
