using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;

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
            var (pending, oldest) = await BacklogAsync(db, ct);
            var failing = await Pending(db).Where(m => m.Attempts > 0).OrderByDescending(m => m.Position)
                .Select(m => new { m.LastError }).ToListAsync(ct);
            return Results.Ok(new OutboxStatus(database.Database.Service, pending, oldest, failing.Count, failing.FirstOrDefault()?.LastError));
        }).WithTags("Operations").RequireAuthorization(Security.PlatformPolicies.Ops).Produces<OutboxStatus>()
            .WithProblemResponses();
        return app;
    }

    /// <summary>How many outbox messages wait to be published, and since when the oldest has (null when none waits):
    /// what this endpoint answers and what <see cref="OutboxProbe{TContext}"/> exports as gauges.</summary>
    public static async Task<(int Pending, DateTimeOffset? OldestPendingAt)> BacklogAsync(PlatformDbContext db, CancellationToken ct)
    {
        var oldest = await Pending(db).OrderBy(m => m.Position).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct);
        return (await Pending(db).CountAsync(ct), oldest);
    }

    private static IQueryable<OutboxMessage> Pending(PlatformDbContext db) => db.Outbox.AsNoTracking().Where(m => m.SentAt == null);
}
