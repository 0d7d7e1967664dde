using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>Who is calling and for which tenant. The tenant is the identity's own, never a parameter's: a tenant's
/// identity naming another tenant (<c>?tenantId=</c>) finds nothing (404). Only an <c>ops</c> identity may name the
/// tenant it reads, and such a request is marked <see cref="CrossTenant"/> so that it is audited.
/// Bound from the request by minimal APIs (<see cref="BindAsync"/>).</summary>
public sealed class Caller
{
    private const string ItemKey = "Rakuten.Platform.Caller";

    /// <summary>Who, as the audit log names them: <c>user:{sub}</c> or <c>api-key:{name} ({id})</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>The tenant the identity belongs to; null for a platform ops identity.</summary>
    public required Guid? HomeTenant { get; init; }

    public required IReadOnlySet<string> Roles { get; init; }

    /// <summary>The tenant this request reads or acts on.</summary>
    public required Guid Tenant { get; init; }

    /// <summary>An ops identity reading a tenant that is not its own.</summary>
    public bool CrossTenant { get; init; }

    /// <summary>Who, for the rate limiter: the same identity across requests.</summary>
    public required string Key { get; init; }

    public bool Has(string role) => PlatformRoles.Grants(Roles, role);

    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(For(context));

    /// <summary>The caller of this request; throws a <see cref="PlatformProblem"/> when it names no tenant it may read.
    /// <paramref name="reads"/>: whether the request only reads (null: a GET or HEAD; a gRPC method says for itself).</summary>
    public static Caller For(HttpContext context, bool? reads = null)
    {
        if (context.Items.TryGetValue(ItemKey, out var known) && known is Caller caller)
        {
            return caller;
        }

        var settings = context.RequestServices.GetRequiredService<IdentitySettings>();
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new PlatformProblem(StatusCodes.Status401Unauthorized, "Authentication required",
                "Send a bearer token (Authorization: Bearer …) or an API key (X-Api-Key: …).");
        }

        var identity = Identify(context, settings);
        Guid? named = null;
        // gRPC has no query string: there the tenant is named in the x-tenant-id metadata entry.
        var grpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
        var (field, found) = grpc
            ? ("x-tenant-id", context.Request.Headers.TryGetValue("x-tenant-id", out var values))
            : ("tenantId", context.Request.Query.TryGetValue("tenantId", out values));
        if (found)
        {
            if (values.Count != 1 || !Guid.TryParse(values[0], out var parsed))
            {
                throw PlatformProblem.Field(field, "must be one GUID");
            }

            named = parsed;
        }

        Guid tenant;
        var cross = false;
        if (identity.HomeTenant is { } home && (named is null || named == home))
        {
            tenant = home;
        }
        else if (named is { } other && identity.Roles.Contains(PlatformRoles.Ops))
        {
            // Support reads another tenant; it never acts on one — whatever other roles the identity holds in its own.
            if (!(reads ?? (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))))
            {
                throw new PlatformProblem(StatusCodes.Status403Forbidden, "Reading only",
                    "An ops identity reads other tenants; it cannot change anything of theirs.");
            }

            tenant = other;
            cross = true;
        }
        else if (named is not null)
        {
            // Another tenant's data does not exist for this identity.
            throw PlatformProblem.NotFound("such tenant");
        }
        else if (identity.Roles.Contains(PlatformRoles.Ops))
        {
            throw PlatformProblem.Field(field, $"is required: an ops identity reads one tenant at a time, named by {(grpc ? "the x-tenant-id metadata entry" : "?tenantId=")}");
        }
        else
        {
            throw new PlatformProblem(StatusCodes.Status403Forbidden, "No tenant",
                $"The identity carries no '{settings.TenantClaim}' claim: it belongs to no tenant.");
        }

        caller = new Caller
        {
            Actor = identity.Actor, HomeTenant = identity.HomeTenant, Roles = identity.Roles, Tenant = tenant, CrossTenant = cross, Key = identity.Key,
        };
        context.Items[ItemKey] = caller;
        return caller;
    }

    private const string IdentityKey = "Rakuten.Platform.Identity";

    /// <summary><see cref="Identify(ClaimsPrincipal, IdentitySettings)"/> of the request's user, read once per request: the
    /// role policies, the two rate-limiter partitions and the binding of <see cref="Caller"/> all ask.</summary>
    public static (string Actor, Guid? HomeTenant, IReadOnlySet<string> Roles, string Key) Identify(HttpContext context, IdentitySettings settings)
    {
        if (context.Items.TryGetValue(IdentityKey, out var known) && known is ValueTuple<string, Guid?, IReadOnlySet<string>, string> identity)
        {
            return identity;
        }

        identity = Identify(context.User, settings);
        context.Items[IdentityKey] = identity;
        return identity;
    }

    /// <summary>Actor, tenant and roles of an authenticated principal (bearer token or API key).</summary>
    public static (string Actor, Guid? HomeTenant, IReadOnlySet<string> Roles, string Key) Identify(ClaimsPrincipal user, IdentitySettings settings)
    {
        var roles = user.FindAll(settings.RoleClaim).Select(c => c.Value.Trim().ToLowerInvariant()).Where(r => r.Length > 0).ToHashSet(StringComparer.Ordinal);
        Guid? tenant = Guid.TryParse(user.FindFirst(settings.TenantClaim)?.Value, out var t) && t != Guid.Empty ? t : null;
        var keyName = user.FindFirst(ApiKeyAuthentication.KeyNameClaim)?.Value;
        var subject = user.FindFirst("sub")?.Value ?? user.FindFirst("client_id")?.Value ?? user.FindFirst("azp")?.Value ?? "unknown";
        var actor = keyName is not null ? $"api-key:{keyName} ({subject})" : $"user:{subject}";
        return (actor, tenant, roles, $"{tenant}:{actor}");
    }
}
