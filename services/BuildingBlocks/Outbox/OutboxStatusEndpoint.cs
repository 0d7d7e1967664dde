using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Outbox;

public sealed record OutboxStatus(string Service, int Pending, DateTimeOffset? OldestPendingAt, int PendingWithErrors, string? LastError);

public static class OutboxStatusEndpoint
{
    /// <summary><c>GET {prefix}/ops/outbox</c>: how many integration events wait to be published and since when
    /// — a relay that cannot reach the broker shows here before anyone misses a message. Platform-wide (every tenant's
    /// events), so for the platform's own operators only (role <c>ops</c>).</summary>
    public static IEndpointRouteBuilder MapOutboxStatus<TContext>(this IEndpointRouteBuilder app, string prefix)
        where TContext : PlatformDbContext
    {
        app.MapGet($"{prefix.TrimEnd('/')}/ops/outbox", async (TContext db, ServiceDatabase<TContext> database, CancellationToken ct) =>
        {
            var pending = db.Outbox.AsNoTracking().Where(m => m.SentAt == null);
            var oldest = await pending.OrderBy(m => m.Position).Select(m => new { m.CreatedAt }).FirstOrDefaultAsync(ct);
            var failing = await pending.Where(m => m.Attempts > 0).OrderByDescending(m => m.Position)
                .Select(m => new { m.LastError }).ToListAsync(ct);
            return Results.Ok(new OutboxStatus(
                database.Database.Service, await pending.CountAsync(ct), oldest?.CreatedAt, failing.Count, failing.FirstOrDefault()?.LastError));
        }).WithTags("Operations").RequireAuthorization(Security.PlatformPolicies.Ops);
        return app;
    }
}
