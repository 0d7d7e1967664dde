using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Security;

public sealed record CreateApiKey(string Name, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresAt = null);

/// <summary>An API key as listed: never its secret.</summary>
public sealed record ApiKeyView(Guid Id, string Name, IReadOnlyList<string> Roles, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyView Of(ApiKeyRecord k) => new(k.Id, k.Name, k.RoleList, k.CreatedBy, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt);
}

/// <summary>The key itself, in the one answer that shows it.</summary>
public sealed record CreatedApiKey(ApiKeyView ApiKey, string Key, string Note);

/// <summary><c>/identity/api-keys</c>: a tenant's admin makes (shown once), lists and revokes the tenant's API keys;
/// each change is in the identity store's audit log (<c>/identity/audit</c>).</summary>
public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapPlatformApi<IdentityDbContext>("/identity").WithTags("API keys");
        keys.MapAuditLog<IdentityDbContext>("");

        keys.MapPost("/api-keys", async (Caller caller, CreateApiKey request, IdentityDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            var errors = new Dictionary<string, string[]>();
            if (Text.Problem(request.Name, 1, 100) is { } name) errors["name"] = [name];
            var roles = (request.Roles ?? []).Select(r => r?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
            if (roles.Count == 0 || roles.Any(r => !PlatformRoles.TenantRoles.Contains(r)))
                errors["roles"] = [$"must name one or more of {string.Join(", ", PlatformRoles.TenantRoles)}"];
            if (request.ExpiresAt is { } expires && expires <= now) errors["expiresAt"] = ["must be in the future"];
            if (errors.Count > 0) return ApiErrors.Validation(errors);

            var id = Guid.NewGuid();
            var (key, hash) = ApiKeyFormat.New(id);
            var record = new ApiKeyRecord
            {
                Id = id, TenantId = caller.Tenant, Name = request.Name.Trim(), Roles = string.Join(' ', roles), SecretHash = hash,
                CreatedBy = caller.Actor, CreatedAt = now, ExpiresAt = request.ExpiresAt,
            };
            db.ApiKeys.Add(record);
            db.Audit(caller, "api-key.create", $"api-key/{id}", now, detail: $"name '{record.Name}', roles {record.Roles}");
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, "api_keys"))
            {
                return ApiErrors.Problem(StatusCodes.Status409Conflict, "Name taken", $"A live API key named '{record.Name}' exists: revoke it or choose another name.");
            }

            return Results.Created($"/identity/api-keys/{id}", new CreatedApiKey(ApiKeyView.Of(record), key,
                "Store the key now: it is shown once. Send it as the X-Api-Key header."));
        }).RequireAuthorization(PlatformPolicies.Admin).Produces<CreatedApiKey>(StatusCodes.Status201Created);

        keys.MapGet("/api-keys", async (Caller caller, IdentityDbContext db, CancellationToken ct) =>
            Results.Ok((await db.ApiKeys.AsNoTracking().Where(k => k.TenantId == caller.Tenant).ToListAsync(ct))
                .OrderBy(k => k.CreatedAt).Select(ApiKeyView.Of))).RequireAuthorization(PlatformPolicies.Admin).Produces<IEnumerable<ApiKeyView>>();

        keys.MapDelete("/api-keys/{id:guid}", async (Guid id, Caller caller, IdentityDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id && k.TenantId == caller.Tenant, ct) ?? throw PlatformProblem.NotFound("API key");
            if (key.RevokedAt is null)
            {
                var now = clock.GetUtcNow();
                key.RevokedAt = now;
                key.RevokedBy = caller.Actor;
                db.Audit(caller, "api-key.revoke", $"api-key/{id}", now, detail: $"name '{key.Name}'");
                await db.SaveChangesAsync(ct);
            }

            return Results.Ok(ApiKeyView.Of(key));
        }).RequireAuthorization(PlatformPolicies.Admin).Produces<ApiKeyView>();

        return app;
    }
}
