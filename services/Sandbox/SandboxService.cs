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
    /// <param name="stateFile">Where the Sandbox keeps its accounts and orders across restarts (<c>Sandbox:StateFile</c> wins);
    /// null: it starts empty each time.</param>
    public static WebApplicationBuilder AddSandbox(this WebApplicationBuilder builder, string? stateFile = null)
    {
        var seed = builder.Configuration.GetValue("Sandbox:Seed", 42);
        var state = new SandboxState(seed);
        builder.Services.AddSingleton(state);
        stateFile = builder.Configuration["Sandbox:StateFile"] ?? stateFile;
        if (stateFile is not null)
        {
            // Before any poller runs: a restarted demo finds its shops, not an empty Sandbox answering Unauthorized.
            SandboxPersistence.Load(state, stateFile);
            builder.Services.AddHostedService(sp => new SandboxPersistence(state, stateFile, sp.GetRequiredService<ILogger<SandboxPersistence>>()));
        }

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
        root.AddEndpointFilter(async (context, next) =>
        {
            var answer = await next(context);
            state.Changed();
            return answer;
        });

        var rms = root.MapGroup("/rms").WithTags("Rakuten JP (RMS) imitation");
        OrderApi.Map(rms, state);
        InventoryApi.Map(rms, state);
        ItemsApi.Map(rms, state);
        LicenseApi.Map(rms, state);

        ShopApi.Map(rms, state);
        CabinetApi.Map(rms, state);

        FrApi.Map(root.MapGroup("/rakuten-fr").WithTags("Rakuten France imitation"), state);
        ShopifyAdminApi.Map(root.MapGroup("/shopify").WithTags("Shopify Admin imitation"), state);
        // Shopify's CDN (cdn.shopify.com): a store's files, public as on the real one.
        root.MapGet("/shopify-cdn/{shop}/files/{name}", (string shop, string name) =>
        {
            lock (state.Sync)
            {
                return state.ShopifyShops.TryGetValue(shop, out var s) && s.Files.TryGetValue(name, out var file)
                    ? Results.Bytes(file.Bytes, file.ContentType)
                    : Results.NotFound();
            }
        }).WithTags("Shopify Admin imitation");

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
