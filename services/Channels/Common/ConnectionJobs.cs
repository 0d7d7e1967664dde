using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.Channels.Common;

/// <summary>Jobs on one channel connection (a product import, a stock reconciliation): the request that starts one, and
/// the check each run makes that the connection may still be used.</summary>
public static class ConnectionJobs
{
    /// <summary><c>POST /connections/{id}/{action}</c>: starts a <paramref name="kind"/> job on the caller's live
    /// connection (or answers the one running) — 202 with it, its progress at <c>{prefix}/jobs/{jobId}</c>. Operators;
    /// it spends the tenant's marketplace quota.</summary>
    public static RouteHandlerBuilder MapConnectionJob<TContext>(this RouteGroupBuilder api, string action, string kind, string prefix)
        where TContext : ChannelDbContext =>
        api.MapPost($"/connections/{{id:guid}}/{action}", async (Guid id, Caller caller, HttpContext http, TimeProvider clock, CancellationToken ct) =>
        {
            // The context is resolved in the body: ASP.NET Core's route-handler analyzer fails on a type parameter here.
            var db = http.RequestServices.GetRequiredService<TContext>();
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var job = await Jobs.StartAsync(db, caller, kind, $"connection/{id}", clock, http.RequestServices.GetRequiredService<JobSignal<TContext>>(), ct);
            return Jobs.Accepted(job, prefix, clock.GetUtcNow());
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<JobView>(StatusCodes.Status202Accepted);

    /// <summary>Refuses the run (failed at once, not retried) when its connection was removed or is paused: the merchant
    /// must act first. <paramref name="again"/> names what to do once the credentials are updated ("import", "reconcile").</summary>
    public static async Task RequireUsableAsync<TContext>(IServiceScopeFactory scopes, JobRun run, string again, CancellationToken ct)
        where TContext : ChannelDbContext
    {
        await using var scope = scopes.CreateAsyncScope();
        var connection = await scope.ServiceProvider.GetRequiredService<TContext>().Connections.AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == run.TargetId && c.TenantId == run.TenantId, ct);
        if (connection is null || connection.RemovedAt is not null)
        {
            throw new JobRefusedException("The connection was removed: nothing more is done with it.");
        }

        if (connection.FlowsPaused)
        {
            throw new JobRefusedException($"The connection is paused ({connection.HealthDetail}). Update its credentials, then {again} again.");
        }
    }
}

/// <summary>A <paramref name="kind"/> job queued in the transaction that adds a connection (so a crash cannot leave a
/// connection without it), and the job runner woken once the connection is saved: the onboarding inventories.</summary>
public sealed class JobOnConnect<TContext>(JobSignal<TContext> signal, string kind) : IConnectionAdded<TContext>
    where TContext : ChannelDbContext
{
    public void Staging(TContext db, ConnectionRecord connection, DateTimeOffset now) => db.Jobs.Add(new JobRecord
    {
        Id = Guid.NewGuid(), TenantId = connection.TenantId, Kind = kind, Target = $"connection/{connection.Id}",
        RequestedBy = "system:onboarding", CreatedAt = now, UpdatedAt = now, TraceParent = BuildingBlocks.Hosting.Traces.Current,
    });

    public void Added(ConnectionRecord connection) => signal.Pulse();
}
