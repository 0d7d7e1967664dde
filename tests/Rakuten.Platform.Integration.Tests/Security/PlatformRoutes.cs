using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Security;

/// <summary>One route of the platform as mapped: its method and pattern, whether it is open, and the role it needs
/// (null: any identity).</summary>
public sealed record Route(string Method, string Pattern, bool Anonymous, string? Role)
{
    public override string ToString() => $"{Method} {Pattern}";

    public bool TakesBody => Method is "POST" or "PUT";
}

/// <summary>A tenant's resources, named by the routes' parameters.</summary>
public sealed record TenantResources(Guid Tenant, IReadOnlyDictionary<string, string> Connections, string ProductId, string OrderId, string ApiKeyId,
    IReadOnlyDictionary<string, object> Credentials, IReadOnlyDictionary<string, string> Jobs);

/// <summary>Every route of a running platform process (from its endpoint data sources, so a route added later is covered
/// without editing this), and how to fill each with a tenant's ids and a body.</summary>
public static partial class PlatformRoutes
{
    /// <summary>The HTTP routes; the gRPC methods (HTTP/2 only, on their own port) are gone over by GrpcAccessTests.</summary>
    public static IReadOnlyList<Route> Of(ChannelHosts hosts) => hosts.Endpoints
        .Where(e => !e.Metadata.Any(m => m.GetType().Name == "GrpcMethodMetadata") && e.RoutePattern.RawText?.Contains("grpcunimplemented", StringComparison.Ordinal) != true)
        .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new Route(
            method, "/" + e.RoutePattern.RawText!.Trim('/'), e.Metadata.GetMetadata<IAllowAnonymous>() is not null, RoleOf(e))))
        .Distinct().OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).ToList();

    private static string? RoleOf(Endpoint endpoint)
    {
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
        return policies.Contains(PlatformPolicies.Ops) ? PlatformRoles.Ops
            : policies.Contains(PlatformPolicies.Admin) ? PlatformRoles.Admin
            : policies.Contains(PlatformPolicies.Operator) ? PlatformRoles.Operator
            : policies.Contains(PlatformPolicies.Viewer) ? PlatformRoles.Viewer
            : null;
    }

    /// <summary>The channel a <c>/channels/{channel}/…</c> route belongs to.</summary>
    public static string? Channel(string pattern) => pattern.StartsWith("/channels/", StringComparison.Ordinal) ? pattern.Split('/')[2] : null;

    /// <summary>The route's path with <paramref name="owner"/>'s ids in it (or fresh random ones).</summary>
    public static string Path(Route route, TenantResources owner, bool randomIds = false) =>
        Parameter().Replace(route.Pattern, m =>
        {
            var name = m.Groups[1].Value;
            if (randomIds && m.Value.Contains(":guid", StringComparison.Ordinal))
            {
                return Guid.NewGuid().ToString();
            }

            return name switch
            {
                "id" when route.Pattern.StartsWith("/identity/", StringComparison.Ordinal) => owner.ApiKeyId,
                "id" when route.Pattern.EndsWith("/jobs/{id:guid}", StringComparison.Ordinal) => owner.Jobs[Channel(route.Pattern) ?? route.Pattern.Split('/')[1]],
                // The tenants' fixture ships nothing: a shipment id it does not have (the retry's own tests use real ones).
                "id" when route.Pattern.StartsWith("/shipping/shipments/", StringComparison.Ordinal) => owner.OrderId,
                "id" => owner.Connections[Channel(route.Pattern)!],
                "connectionId" when route.Pattern.StartsWith("/channels/shopify/", StringComparison.Ordinal) => owner.Connections["shopify"],
                "connectionId" => owner.Connections["rakuten-jp"],
                // The fixture's own job of the channel: not an order sync, so its order-sync view is 404 even to its owner.
                "jobId" => owner.Jobs[Channel(route.Pattern)!],
                "productId" => owner.ProductId,
                "orderId" => owner.OrderId,
                "action" => "hide",
                "shopifyName" => "Yamato",
                "documentName" => "v1",
                "sku" => "SKU-A",
                _ => throw new InvalidOperationException($"The security tests do not know the route parameter {{{name}}} of {route}: teach PlatformRoutes.Path it."),
            };
        });

    /// <summary>A body that the route accepts (<paramref name="valid"/>) or refuses as invalid (400 once authorised).</summary>
    public static HttpContent? Body(Route route, TenantResources owner, bool valid)
    {
        if (!route.TakesBody)
        {
            return null;
        }

        object? body = (route.Method, route.Pattern) switch
        {
            (_, var p) when !valid => p.EndsWith("/carriers/{shopifyName}", StringComparison.Ordinal) ? new { rakutenJpCode = "not-a-code" }
                : p.EndsWith("/cancel", StringComparison.Ordinal) ? new { reason = "no such reason" }
                : p.EndsWith("/rules", StringComparison.Ordinal) ? new { buffer = -1 }
                : new { },
            ("POST", var p) when p.EndsWith("/connections", StringComparison.Ordinal) =>
                new { tenantId = owner.Tenant, name = "intruder", credentials = owner.Credentials[Channel(p)!] },
            ("PUT", var p) when p.EndsWith("/credentials", StringComparison.Ordinal) => new { credentials = owner.Credentials[Channel(p)!] },
            (_, var p) when p.EndsWith("/cancel", StringComparison.Ordinal) => new { reason = "BuyerRequest", comment = "cancelled by someone else" },
            (_, var p) when p.EndsWith("/rules", StringComparison.Ordinal) => new { buffer = 99 },
            (_, var p) when p.EndsWith("/carriers/{shopifyName}", StringComparison.Ordinal) => new { rakutenFrTransporter = "Autre", trackingUrl = "https://phishing.example/{n}" },
            (_, var p) when p.EndsWith("/api-keys", StringComparison.Ordinal) => new { tenantId = owner.Tenant, name = "intruder", roles = new[] { "admin" } },
            _ => null,
        };
        return body is null ? null : JsonContent.Create(body);
    }

    public static HttpRequestMessage Request(Route route, TenantResources owner, bool randomIds = false, bool validBody = true, string? query = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(route.Method), Path(route, owner, randomIds) + query)
        {
            Content = Body(route, owner, validBody),
        };
        return request;
    }

    [GeneratedRegex(@"\{([A-Za-z]+)(?::[^}]*)?\}")]
    private static partial Regex Parameter();
}
