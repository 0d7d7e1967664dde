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
    IServiceScopeFactory scopes, IdentitySettings settings, TimeProvider clock, ApiKeyGuard guard)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>The claim naming the key (its name), so that the audit log says which key acted.</summary>
    public const string KeyNameClaim = "api_key_name";

    private static readonly ConcurrentDictionary<Guid, long> LastUseWritten = new();

    /// <summary>Whether the request presents an API key rather than a bearer token.</summary>
    public static bool Presented(HttpRequest request) => PresentedKey(request) is not null;

    /// <summary>The key in <c>X-Api-Key</c> or <c>Authorization: ApiKey …</c>; null when neither header names one.</summary>
    private static string? PresentedKey(HttpRequest request) =>
        request.Headers.TryGetValue(Header, out var header) ? header.ToString()
        : request.Headers.Authorization.ToString() is var auth && auth.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase) ? auth[(SchemeName.Length + 1)..].Trim()
        : null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request) ?? "";
        if (presented.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var client = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var parsed = ApiKeyFormat.Parse(presented);
        if (!guard.MayLookUp(client, parsed?.Id))
        {
            return AuthenticateResult.Fail("too many failed API keys from this address");
        }

        if (parsed is null)
        {
            guard.Failed(client);
            return AuthenticateResult.Fail("not an API key");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == parsed.Value.Id, Context.RequestAborted);
        var now = clock.GetUtcNow();
        if (key is null || key.RevokedAt is not null || key.ExpiresAt <= now || !ApiKeyFormat.Matches(parsed.Value.Secret, key.SecretHash))
        {
            guard.Failed(client);
            return AuthenticateResult.Fail("unknown, revoked or expired API key");
        }

        guard.Succeeded(key.Id);
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

/// <summary>Failed API keys per client address and minute: past <see cref="FailuresPerMinute"/>, a key from that address
/// is refused without a database read — unless it is one that authenticated lately, so that an attacker sharing an address
/// (a NAT) with a merchant's system does not lock it out. The anonymous are refused before the rate limiter, so without
/// this every key presented would cost a look-up.</summary>
public sealed class ApiKeyGuard
{
    private const int FailuresPerMinute = 30;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Count, long Since)> _failures = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, long> _good = new();

    public bool MayLookUp(string client, Guid? keyId)
    {
        var tick = Environment.TickCount64;
        if (keyId is { } id && _good.TryGetValue(id, out var at) && tick - at < 3_600_000)
        {
            return true;
        }

        return !(_failures.TryGetValue(client, out var failed) && failed.Count >= FailuresPerMinute && tick - failed.Since < 60_000);
    }

    public void Succeeded(Guid keyId) => _good[keyId] = Environment.TickCount64;

    public void Failed(string client)
    {
        var tick = Environment.TickCount64;
        _failures.AddOrUpdate(client, (1, tick), (_, f) => tick - f.Since < 60_000 ? (f.Count + 1, f.Since) : (1, tick));
        if (_failures.Count > 10_000)
        {
            // Old windows go: the dictionary holds the addresses of about the last minute.
            foreach (var entry in _failures.Where(f => tick - f.Value.Since >= 60_000).ToList())
            {
                _failures.TryRemove(entry);
            }
        }
    }
}
