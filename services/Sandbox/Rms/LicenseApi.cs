using System.Text.Json.Nodes;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary><c>GET /es/1.0/license-management/license-key/expiry-date?licenseKey=</c> (reference §1.3).</summary>
public static class LicenseApi
{
    public static void Map(RouteGroupBuilder rms, SandboxState state)
    {
        const string path = "/es/1.0/license-management/license-key/expiry-date";
        rms.MapGet(path, (HttpContext http, string? licenseKey) =>
            new ApiCall(RmsGateway.Api, "license.expiry-date").RunAsync(http, state, RmsGateway.Authenticate(state, orderApi: false),
                RmsGateway.GatewayError(false, "license"), null, (shop, _) =>
                {
                    if (string.IsNullOrEmpty(licenseKey))
                    {
                        return new JsonAnswer(400, RmsGateway.Errors("DR0005", "Bad Request: licenseKey is required.", "licenseKey"));
                    }

                    return state.RmsShops[shop].LicenseKeys.TryGetValue(licenseKey, out var expiry)
                        ? new JsonAnswer(200, new JsonObject { ["expiryDate"] = expiry.ToOffset(SandboxClock.Jst).ToString("yyyy-MM-dd'T'HH:mm:ss") })
                        : new JsonAnswer(404, RmsGateway.Errors("GE0014", "Not found for inputs; licenseKey"));
                }, readsBody: false));
        rms.MapMethods(path, ["POST", "PUT", "PATCH", "DELETE"], () => Results.StatusCode(405));
    }
}
