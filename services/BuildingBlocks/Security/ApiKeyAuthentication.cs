using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>Authenticates <c>X-Api-Key: rpk_…</c> (or <c>Authorization: ApiKey rpk_…</c>) against the identity store:
/// a key that is unknown, revoked, expired or whose secret does not match is one and the same 401. The key's last use is
/// recorded at most once a minute per key and process.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IServiceScopeFactory scopes, IdentitySettings settings, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>The claim naming the key (its name), so that the audit log says which key acted.</summary>
    public const string KeyNameClaim = "api_key_name";

    private static readonly ConcurrentDictionary<Guid, long> LastUseWritten = new();

    /// <summary>Whether the request presents an API key rather than a bearer token.</summary>
    public static bool Presented(HttpRequest request) =>
        request.Headers.ContainsKey(Header)
        || request.Headers.Authorization.ToString().StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers.TryGetValue(Header, out var header)
            ? header.ToString()
            : Request.Headers.Authorization.ToString() is { } auth && auth.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase) ? auth[(SchemeName.Length + 1)..].Trim() : "";
        if (presented.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (ApiKeyFormat.Parse(presented) is not { } parsed)
        {
            return AuthenticateResult.Fail("not an API key");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == parsed.Id, Context.RequestAborted);
        var now = clock.GetUtcNow();
        if (key is null || key.RevokedAt is not null || key.ExpiresAt <= now || !ApiKeyFormat.Matches(parsed.Secret, key.SecretHash))
        {
            return AuthenticateResult.Fail("unknown, revoked or expired API key");
        }

        await RecordUseAsync(db, key.Id, now);
        var claims = new List<Claim>
        {
            new("sub", key.Id.ToString()),
            new(KeyNameClaim, key.Name),
            new(settings.TenantClaim, key.TenantId.ToString()),
        };
        claims.AddRange(key.RoleList.Select(r => new Claim(settings.RoleClaim, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, "sub", settings.RoleClaim));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task RecordUseAsync(IdentityDbContext db, Guid id, DateTimeOffset now)
    {
        var tick = Environment.TickCount64;
        if (LastUseWritten.TryGetValue(id, out var last) && tick - last < 60_000)
        {
            return;
        }

        LastUseWritten[id] = tick;
        await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
    }
}
