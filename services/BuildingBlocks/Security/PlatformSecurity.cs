using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>The platform API's guards (DESIGN §13), for every service process and the Host: bearer tokens of the
/// configured identity provider or the tenant's API keys, role policies, a rate limit per caller and per tenant (tighter
/// for calls that spend marketplace quota), body size limits and Problem Details for every error. Anything not
/// explicitly anonymous needs an identity: a route nobody mapped answers 401 to the anonymous too.</summary>
public static class PlatformSecurity
{
    public const string Scheme = "platform";

    /// <summary>Rate-limiter policy of calls that spend the merchant's marketplace quota.</summary>
    public const string MarketplaceQuota = "marketplace-quota";

    /// <summary>The body limit of the platform's own API (requests are small JSON documents).</summary>
    public const long DefaultBodyLimit = 64 * 1024;

    public static WebApplicationBuilder AddPlatformSecurity(this WebApplicationBuilder builder, PlatformOptions options)
    {
        var settings = IdentitySettings.From(builder.Configuration, options);
        builder.Services.AddSingleton(settings);
        var development = settings.Development ? DevelopmentIdentity.LoadOrCreate(options.DataDirectory) : null;
        if (development is not null)
        {
            builder.Services.AddSingleton(development);
        }

        builder.AddServiceDatabase<IdentityDbContext>(IdentityDbContext.Service, relay: false);
        builder.Services.AddSingleton<ApiKeyGuard>();

        builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or API key", o =>
                o.ForwardDefaultSelector = context => ApiKeyAuthentication.Presented(context.Request) ? ApiKeyAuthentication.SchemeName : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                // Claims as the provider named them: the tenant and role claims are configured by those names.
                o.MapInboundClaims = false;
                // Why a token failed (expired, wrong key…) is not told to whoever sent it.
                o.IncludeErrorDetails = false;
                if (settings.Authority is not null)
                {
                    o.Authority = settings.Authority;
                    o.RequireHttpsMetadata = true;
                }

                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidateIssuerSigningKey = true,
                    IssuerSigningKeys = development is not null ? [development.ValidationKey] : SigningKeys(settings),
                    // Asymmetric signatures only: a provider signs with its private key, and no shared secret (HS256) can be
                    // forged from a published public key.
                    ValidAlgorithms =
                    [
                        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
                        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
                        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
                    ],
                    NameClaimType = "sub",
                    RoleClaimType = settings.RoleClaim,
                    ClockSkew = TimeSpan.FromMinutes(1),
                };
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);

        builder.Services.AddAuthorization(o =>
        {
            o.FallbackPolicy = new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build();
            AuthorizationPolicy Role(string role) => new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser()
                .RequireAssertion(c => Grants(c.Resource is HttpContext http ? Caller.Identify(http, settings) : Caller.Identify(c.User, settings), role)).Build();
            o.AddPolicy(PlatformPolicies.Viewer, Role(PlatformRoles.Viewer));
            o.AddPolicy(PlatformPolicies.Operator, Role(PlatformRoles.Operator));
            o.AddPolicy(PlatformPolicies.Admin, Role(PlatformRoles.Admin));
            o.AddPolicy(PlatformPolicies.Ops, Role(PlatformRoles.Ops));
        });

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiErrors.Customize);
        builder.Services.AddExceptionHandler<ApiErrors>();
        // Binding failures throw, so that ApiErrors can say which field was wrong (otherwise: an empty 400).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddRateLimiter(o => ConfigureRateLimits(o, builder.Configuration, settings));
        return builder;
    }

    /// <summary>The middleware, in order: errors as Problem Details, routing, identity, roles, body limits, rate limits.</summary>
    public static WebApplication UsePlatformSecurity(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(LimitBody);
        app.UseRateLimiter();
        return app;
    }

    /// <summary>A group of the platform's API: readers need at least <c>viewer</c>; ops reads of a tenant are audited in
    /// <typeparamref name="TContext"/>'s database; bodies are limited to <see cref="DefaultBodyLimit"/>; the OpenAPI
    /// document lists the Problem Details every operation may answer.</summary>
    public static RouteGroupBuilder MapPlatformApi<TContext>(this IEndpointRouteBuilder app, string prefix) where TContext : PlatformDbContext
    {
        var group = app.MapGroup(prefix).RequireAuthorization(PlatformPolicies.Viewer).WithBodyLimit(DefaultBodyLimit);
        group.AuditOpsReads<RouteGroupBuilder, TContext>();
        return group.WithProblemResponses();
    }

    /// <summary>Lists in the OpenAPI document the Problem Details an identified operation may answer (see
    /// <see cref="DocumentProblems"/>); runs after the endpoints' own conventions, so their own error responses are kept.</summary>
    public static TBuilder WithProblemResponses<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(DocumentProblems);
        return builder;
    }

    private static readonly string[] ProblemJson = ["application/problem+json"];

    /// <summary>What every operation of the platform API may answer besides its result — bad input, no identity, a role
    /// or tenant that does not grant it, too many requests — and, where the path names something, 404; where it takes
    /// a body, 413.</summary>
    private static void DocumentProblems(EndpointBuilder endpoint)
    {
        var statuses = new List<int>
        {
            StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests,
        };
        if (endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 }) statuses.Add(StatusCodes.Status404NotFound);
        if (endpoint.Metadata.OfType<IAcceptsMetadata>().Any()) statuses.Add(StatusCodes.Status413PayloadTooLarge);
        foreach (var status in statuses.Where(s => !endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == s)))
        {
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ProblemJson));
        }
    }

    /// <summary>Calls that spend the merchant's marketplace quota (connection checks, manual syncs, imports) are limited per tenant.</summary>
    public static TBuilder SpendsMarketplaceQuota<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(MarketplaceQuota);

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>An endpoint's largest accepted body.</summary>
    public sealed record BodyLimit(long Bytes);

    private static bool Grants((string Actor, Guid? HomeTenant, IReadOnlySet<string> Roles, string Key) identity, string role)
    {
        var (_, tenant, roles, _) = identity;
        return role == PlatformRoles.Ops
            ? roles.Contains(PlatformRoles.Ops)
            // Tenant roles act within the identity's tenant; ops may read (viewer) any tenant, one at a time.
            : (tenant is not null && PlatformRoles.Grants(roles, role)) || (role == PlatformRoles.Viewer && roles.Contains(PlatformRoles.Ops));
    }

    private static IEnumerable<SecurityKey> SigningKeys(IdentitySettings settings)
    {
        if (settings.SigningKeysFile is null)
        {
            return []; // the authority's discovery document provides them
        }

        if (!File.Exists(settings.SigningKeysFile))
        {
            throw new InvalidOperationException($"Platform:Identity:SigningKeysFile names {settings.SigningKeysFile}, which does not exist.");
        }

        var keys = new JsonWebKeySet(File.ReadAllText(settings.SigningKeysFile)).GetSigningKeys();
        return keys.Count > 0
            ? keys
            : throw new InvalidOperationException($"{settings.SigningKeysFile} holds no signing key (a JSON Web Key Set with 'keys' is expected).");
    }

    private static async Task LimitBody(HttpContext context, Func<Task> next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>() is { } limit)
        {
            if (context.Request.ContentLength > limit.Bytes)
            {
                throw new PlatformProblem(StatusCodes.Status413PayloadTooLarge, "Request body too large",
                    $"This endpoint accepts at most {limit.Bytes} bytes.");
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit.Bytes;
            }
        }

        await next();
    }

    private static void ConfigureRateLimits(RateLimiterOptions o, IConfiguration configuration, IdentitySettings settings)
    {
        var section = configuration.GetSection("Platform:RateLimits");
        var perCaller = section.GetValue("PerCallerPerSecond", 50);
        var perTenant = section.GetValue("PerTenantPerSecond", 200);
        var quota = section.GetValue("MarketplacePerMinute", 20);

        TokenBucketRateLimiterOptions Bucket(int perSecond) => new()
        {
            TokenLimit = perSecond * 2, TokensPerPeriod = perSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        };

        // Anonymous requests (health probes, Shopify's signed webhooks) are not limited here: they are cheap to refuse.
        o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(c => Who(c, settings) is { } who
                ? RateLimitPartition.GetTokenBucketLimiter("caller " + who.Caller, _ => Bucket(perCaller))
                : RateLimitPartition.GetNoLimiter("anonymous")),
            PartitionedRateLimiter.Create<HttpContext, string>(c => Who(c, settings) is { } who
                ? RateLimitPartition.GetTokenBucketLimiter("tenant " + who.Tenant, _ => Bucket(perTenant))
                : RateLimitPartition.GetNoLimiter("anonymous")));
        o.AddPolicy(MarketplaceQuota, c => RateLimitPartition.GetTokenBucketLimiter("quota " + (Who(c, settings)?.Tenant ?? "anonymous"), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = quota, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(60.0 / Math.Max(1, quota)), QueueLimit = 0, AutoReplenishment = true,
        }));
        o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        o.OnRejected = async (context, ct) =>
        {
            var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            var http = context.HttpContext;
            var message = $"This caller or tenant sent more requests than the platform accepts; try again in {seconds} s.";
            if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                // gRPC clients read an HTTP 429 as UNAVAILABLE (retry at once): a trailers-only RESOURCE_EXHAUSTED says "slow down".
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentType = "application/grpc";
                http.Response.Headers["grpc-status"] = "8";
                http.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests",
                    Detail = message,
                },
            });
        };
    }

    private static (string Caller, string Tenant)? Who(HttpContext context, IdentitySettings settings)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var (_, tenant, _, key) = Caller.Identify(context, settings);
        return (key, tenant?.ToString() ?? key);
    }
}
