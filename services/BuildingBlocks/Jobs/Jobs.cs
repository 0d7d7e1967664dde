using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.BuildingBlocks.Jobs;

/// <summary>Long operations as jobs (issue 19): a request answers 202 with the job, whose progress, failures, estimate
/// and final report are read at <c>{service}/jobs/{id}</c>; a <see cref="JobRunner{TContext}"/> does the work and a
/// restart resumes it.</summary>
public static class Jobs
{
    /// <summary>Starts a <paramref name="kind"/> job on <paramref name="target"/> for the caller's tenant — or, when one is
    /// already queued or running, answers that one (a second click starts nothing twice). Audited with the job.
    /// <paramref name="checkpoint"/> gives the handler its parameters (a date range), in its own words.</summary>
    public static async Task<JobRecord> StartAsync<TContext>(TContext db, Caller caller, string kind, string target, TimeProvider clock,
        JobSignal<TContext> runner, CancellationToken ct, int? total = null, string? checkpoint = null)
        where TContext : PlatformDbContext
    {
        if (await ActiveAsync(db, caller.Tenant, kind, target, ct) is { } running)
        {
            return running;
        }

        var now = clock.GetUtcNow();
        var job = new JobRecord
        {
            Id = Guid.NewGuid(), TenantId = caller.Tenant, Kind = kind, Target = target, RequestedBy = caller.Actor, CreatedAt = now, UpdatedAt = now,
            TraceParent = Traces.Current, Total = total, Checkpoint = checkpoint,
        };
        db.Jobs.Add(job);
        db.Audit(caller, kind, target, now, detail: $"job {job.Id}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, "jobs"))
        {
            // Started by a concurrent request between the look and the insert (the unique index on active jobs).
            // If that one has already finished, a new one is started.
            db.DiscardUnsaved();
            return await ActiveAsync(db, caller.Tenant, kind, target, ct) ?? await StartAsync(db, caller, kind, target, clock, runner, ct, total, checkpoint);
        }

        runner.Pulse();
        return job;
    }

    /// <summary>202 with the job and its address.</summary>
    public static IResult Accepted(JobRecord job, string prefix, DateTimeOffset now)
    {
        var view = JobView.Of(job, prefix, now);
        return Results.Accepted(view.Location, view);
    }

    /// <summary><c>GET {prefix}/jobs</c> (the tenant's latest 50) and <c>GET {prefix}/jobs/{id}</c>, for the tenant's
    /// viewers and up (the platform API group's rule, said again here); another tenant's job is 404.</summary>
    public static IEndpointRouteBuilder MapJobs<TContext>(this IEndpointRouteBuilder api, string prefix) where TContext : PlatformDbContext
    {
        // The context is resolved in the body: ASP.NET Core's route-handler analyzer fails on a type parameter here.
        api.MapGet("/jobs", async (Caller caller, HttpContext http, TimeProvider clock, CancellationToken ct) =>
        {
            var db = http.RequestServices.GetRequiredService<TContext>();
            var jobs = await db.Jobs.AsNoTracking().Where(j => j.TenantId == caller.Tenant).OrderByDescending(j => j.CreatedAt).Take(50).ToListAsync(ct);
            return Results.Ok(jobs.Select(j => JobView.Of(j, prefix, clock.GetUtcNow())).ToList());
        }).RequireAuthorization(PlatformPolicies.Viewer).WithTags("Jobs").Produces<List<JobView>>();
        api.MapGet("/jobs/{id:guid}", async (Guid id, Caller caller, HttpContext http, TimeProvider clock, CancellationToken ct) =>
        {
            var db = http.RequestServices.GetRequiredService<TContext>();
            var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.TenantId == caller.Tenant, ct)
                      ?? throw PlatformProblem.NotFound("job with this id");
            return Results.Ok(JobView.Of(job, prefix, clock.GetUtcNow()));
        }).RequireAuthorization(PlatformPolicies.Viewer).WithTags("Jobs").Produces<JobView>();
        return api;
    }

    /// <summary>The runner of <typeparamref name="TContext"/>'s jobs; add the handlers with <see cref="AddJobHandler{TContext,THandler}"/>.</summary>
    public static IHostApplicationBuilder AddJobs<TContext>(this IHostApplicationBuilder builder) where TContext : PlatformDbContext
    {
        builder.Services.AddSingleton<JobSignal<TContext>>();
        builder.Services.AddHostedService<JobRunner<TContext>>();
        return builder;
    }

    public static IHostApplicationBuilder AddJobHandler<TContext, THandler>(this IHostApplicationBuilder builder)
        where TContext : PlatformDbContext where THandler : class, IJobHandler<TContext>
    {
        builder.Services.AddSingleton<IJobHandler<TContext>, THandler>();
        return builder;
    }

    private static Task<JobRecord?> ActiveAsync(PlatformDbContext db, Guid tenant, string kind, string target, CancellationToken ct) =>
        db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.TenantId == tenant && j.Kind == kind && j.Target == target
                                                        && (j.State == JobStates.Queued || j.State == JobStates.Running), ct);
}

/// <summary>Wakes <typeparamref name="TContext"/>'s job runner when a job is started.</summary>
public sealed class JobSignal<TContext> : WakeSignal where TContext : PlatformDbContext;
