using Rakuten.Platform.Sandbox.Control;
using Rakuten.Platform.Sandbox.Infrastructure;
using Rakuten.Platform.Sandbox.RakutenFr;
using Rakuten.Platform.Sandbox.Rms;
using Rakuten.Platform.Sandbox.Shopify;

namespace Rakuten.Platform.Sandbox;

/// <summary>Imitations of RMS (<c>/rms</c>), Rakuten France (<c>/rakuten-fr</c>) and Shopify Admin (<c>/shopify</c>), with a control
/// API under <c>/control</c> and its own OpenAPI document at <c>/openapi/sandbox.json</c>. Mapped standalone or inside
/// <c>services/Host</c> for the embedded demo.</summary>
public static class SandboxService
{
    public static WebApplicationBuilder AddSandbox(this WebApplicationBuilder builder)
    {
        var seed = builder.Configuration.GetValue("Sandbox:Seed", 42);
        builder.Services.AddSingleton(new SandboxState(seed));
        builder.Services.AddHttpClient("shopify-webhooks");
        builder.Services.AddSingleton<WebhookDeliverer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDeliverer>());
        // Only the Sandbox's routes: a document includes the ungrouped ones (the platform's, in the Host) by default.
        builder.Services.AddOpenApi(OpenApiDocument, o => o.ShouldInclude = d => d.GroupName == OpenApiDocument);
        return builder;
    }

    /// <summary>The name of the Sandbox's OpenAPI document.</summary>
    public const string OpenApiDocument = "sandbox";

    public static WebApplication MapSandbox(this WebApplication app) => app.MapSandbox(app.MapGroup(""));

    /// <summary>Maps the imitations under <paramref name="root"/>. In the Host, whose platform API requires an identity
    /// for everything, the Sandbox stays open (<c>AllowAnonymous</c>): it is a stand-in for the marketplaces, which have
    /// credentials of their own, and its control API is a demo's. It is never deployed in production (deploy/k8s).</summary>
    public static WebApplication MapSandbox(this WebApplication app, RouteGroupBuilder root)
    {
        var state = app.Services.GetRequiredService<SandboxState>();
        // Its own OpenAPI document (/openapi/sandbox.json): the imitations are not the platform's API.
        root.AllowAnonymous().WithGroupName(OpenApiDocument);

        var rms = root.MapGroup("/rms").WithTags("Rakuten JP (RMS) imitation");
        OrderApi.Map(rms, state);
        InventoryApi.Map(rms, state);
        ItemsApi.Map(rms, state);
        LicenseApi.Map(rms, state);

        ShopApi.Map(rms, state);

        FrApi.Map(root.MapGroup("/rakuten-fr").WithTags("Rakuten France imitation"), state);
        ShopifyAdminApi.Map(root.MapGroup("/shopify").WithTags("Shopify Admin imitation"), state);

        var control = root.MapGroup("/control");
        RmsControl.Map(control, state);
        RakutenFrControl.Map(control, state);
        ShopifyControl.Map(control, state);
        SharedControl.Map(control, state);

        root.MapGet("/sandbox", () => Results.Ok(new
        {
            name = "Rakuten.Platform Sandbox",
            apis = new { rms = "/rms", rakutenFr = "/rakuten-fr/{sales_ws|stock_ws}?action=…", shopify = "/shopify/{shop}/admin/api/{version}/graphql.json" },
            control = "/control",
            openApi = $"/openapi/{OpenApiDocument}.json",
        })).WithTags("Sandbox");
        return app;
    }
}
