using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>One state-changing call (or an ops read of a tenant): who, for which tenant, what, on what, how it ended and
/// when. Written by the service that did it, in the transaction of the change. Never a secret: details are the caller's
/// non-secret input (a reason, a rule) or the platform's own words.</summary>
public sealed class AuditEntry
{
    public long Position { get; init; }

    public required Guid TenantId { get; init; }

    public required string Actor { get; init; }

    public required string Action { get; init; }

    public required string Target { get; init; }

    public required string Outcome { get; init; }

    public string? Detail { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? TraceId { get; init; }
}

public static class AuditOutcome
{
    public const string Succeeded = "succeeded";

    /// <summary>The platform or the marketplace said no; nothing changed.</summary>
    public const string Refused = "refused";
}

public static class AuditLog
{
    /// <summary>Stages an entry in the caller's unit of work: it commits with the change, or not at all.</summary>
    public static void Audit(this PlatformDbContext db, Caller caller, string action, string target, DateTimeOffset at,
        string outcome = AuditOutcome.Succeeded, string? detail = null) =>
        db.AuditLog.Add(new AuditEntry
        {
            TenantId = caller.Tenant, Actor = caller.Actor, Action = action, Target = target, Outcome = outcome,
            Detail = detail is { Length: > 500 } ? detail[..500] : detail, At = at, TraceId = Activity.Current?.TraceId.ToString(),
        });

    /// <summary>A refusal on its own: nothing else changed, so the entry is its own unit of work.</summary>
    public static async Task AuditRefusalAsync(this PlatformDbContext db, Caller caller, string action, string target, DateTimeOffset at, string detail, CancellationToken ct)
    {
        db.DiscardUnsaved();
        db.Audit(caller, action, target, at, AuditOutcome.Refused, detail);
        await db.SaveChangesAsync(ct);
    }

    /// <summary><c>GET {prefix}/audit</c>: the tenant's entries of this service, newest first (<c>limit</c> ≤ 500,
    /// <c>before</c> a position for the next page). The tenant's admins only.</summary>
    public static IEndpointConventionBuilder MapAuditLog<TContext>(this IEndpointRouteBuilder app, string prefix) where TContext : PlatformDbContext =>
        app.MapGet($"{prefix.TrimEnd('/')}/audit", async (Caller caller, int? limit, long? before, TContext db, CancellationToken ct) =>
        {
            if (limit is < 1 or > 500) throw PlatformProblem.Field("limit", "must be between 1 and 500");
            var entries = await db.AuditLog.AsNoTracking()
                .Where(e => e.TenantId == caller.Tenant && (before == null || e.Position < before))
                .OrderByDescending(e => e.Position).Take(limit ?? 100).ToListAsync(ct);
            return Results.Ok(entries);
        }).RequireAuthorization(PlatformPolicies.Admin).WithTags("Audit").Produces<List<AuditEntry>>();

    /// <summary>An endpoint filter that records every successful ops read of a tenant that is not its own, in the
    /// service read (DESIGN §13: support may read across tenants, and every such read is audited).</summary>
    public static TBuilder AuditOpsReads<TBuilder, TContext>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder where TContext : PlatformDbContext =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var http = context.HttpContext;
            if (http.Items.Values.OfType<Caller>().FirstOrDefault() is { CrossTenant: true } caller && http.Response.StatusCode < 400
                && result is not IStatusCodeHttpResult { StatusCode: >= 400 })
            {
                var db = http.RequestServices.GetRequiredService<TContext>();
                db.Audit(caller, $"ops.read {http.Request.Method}", http.Request.Path.Value ?? "", http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
                await db.SaveChangesAsync(http.RequestAborted);
            }

            return result;
        });
}
