using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Jobs;

/// <summary>Runs <typeparamref name="TContext"/>'s jobs, a few at a time (<c>Platform:Jobs:Concurrency</c>, 2). A job is
/// taken under a lease (<c>Platform:Jobs:Lease</c>, 1 min) renewed while it runs; a replica that dies stops renewing,
/// and once the lease has passed another takes the job over from its checkpoint — the dead one's late writes are refused
/// by the job's version. A stopping process hands its jobs back at once. A failed attempt is retried later (30 s, then
/// longer) up to <c>Platform:Jobs:MaxAttempts</c> (5); a refusal (<see cref="JobRefusedException"/>) fails at once.</summary>
public sealed class JobRunner<TContext>(
    IServiceScopeFactory scopes, IEnumerable<IJobHandler<TContext>> handlers, JobSignal<TContext> signal, TimeProvider clock,
    IConfiguration configuration, ILogger<JobRunner<TContext>> logger) : BackgroundService where TContext : PlatformDbContext
{
    private readonly Dictionary<string, IJobHandler<TContext>> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
    private readonly string _process = $"{Environment.MachineName}/{Environment.ProcessId}";

    private TimeSpan Lease => configuration.GetValue("Platform:Jobs:Lease", TimeSpan.FromMinutes(1));

    private TimeSpan PollInterval => configuration.GetValue("Platform:Jobs:PollInterval", TimeSpan.FromSeconds(5));

    private int MaxAttempts => configuration.GetValue("Platform:Jobs:MaxAttempts", 5);

    private TimeSpan RetryAfter => configuration.GetValue("Platform:Jobs:RetryAfter", TimeSpan.FromSeconds(30));

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_handlers.Count == 0)
        {
            return Task.CompletedTask;
        }

        var concurrency = Math.Max(1, configuration.GetValue("Platform:Jobs:Concurrency", 2));
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => LoopAsync(stoppingToken), stoppingToken)));
    }

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            JobRecord? job = null;
            try
            {
                job = await ClaimAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not look for jobs; next look in {Interval}", PollInterval);
            }

            if (job is null)
            {
                await signal.WaitAsync(PollInterval, stoppingToken);
                continue;
            }

            try
            {
                await RunAsync(job, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A job's end could not be written (the database away): its lease passes and it is taken again.
                logger.LogWarning(ex, "Job {Job} ({Kind}) ended without its state written; it is taken again once its lease passes", job.Id, job.Kind);
            }
        }
    }

    /// <summary>Takes the oldest job that is queued, or running with its lease passed (its runner died, or its retry is due)
    /// — of a tenant none of whose jobs of this service runs now: one tenant's jobs go one after another, so a tenant with
    /// several big stores cannot hold every runner while the others wait.</summary>
    private async Task<JobRecord?> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var now = clock.GetUtcNow();
        var kinds = _handlers.Keys.ToList();
        var busy = db.Jobs.Where(r => r.State == JobStates.Running && r.LeaseOwner != null && r.LeaseUntil >= now).Select(r => r.TenantId);
        var candidates = await db.Jobs.AsNoTracking()
            .Where(j => (j.State == JobStates.Queued || j.State == JobStates.Running) && (j.LeaseUntil == null || j.LeaseUntil < now) && kinds.Contains(j.Kind)
                        && !busy.Contains(j.TenantId))
            .OrderBy(j => j.CreatedAt).Take(5).ToListAsync(ct);
        foreach (var candidate in candidates)
        {
            // Taken only if nobody wrote it since it was read and its lease has still passed (a heartbeat does not change
            // the version): of two runners, one wins. The owner names this run, not only this process.
            var owner = $"{_process}/{Guid.NewGuid():N}";
            // Two runners may each pick another job of the same tenant from the same look: the tenant's lock, and the
            // take only while none of its jobs runs, let one of them through (SQLite has one writer at a time anyway).
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"jobs-tenant:{candidate.TenantId}", ct);
            var taken = await db.Jobs.Where(j => j.Id == candidate.Id && j.Version == candidate.Version && (j.LeaseUntil == null || j.LeaseUntil < now)
                                                 && !db.Jobs.Any(r => r.TenantId == candidate.TenantId && r.Id != candidate.Id && r.State == JobStates.Running
                                                                      && r.LeaseOwner != null && r.LeaseUntil >= now))
                .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobStates.Running)
                .SetProperty(j => j.LeaseOwner, owner)
                .SetProperty(j => j.LeaseUntil, now + Lease)
                .SetProperty(j => j.StartedAt, candidate.StartedAt ?? now)
                .SetProperty(j => j.Attempts, candidate.Attempts + 1)
                .SetProperty(j => j.UpdatedAt, now)
                .SetProperty(j => j.Version, candidate.Version + 1), ct);
            await tx.CommitAsync(ct);
            if (taken == 1)
            {
                return await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == candidate.Id, ct);
            }
        }

        return null;
    }

    private async Task RunAsync(JobRecord job, CancellationToken stoppingToken)
    {
        using var activity = Traces.StartForMany($"job {job.Kind}", [job.TraceParent]) ?? Traces.StartRoot($"job {job.Kind}", ActivityKind.Internal);
        activity?.SetTag("platform.job.id", job.Id.ToString());
        activity?.SetTag("platform.job.attempt", job.Attempts);
        var owner = job.LeaseOwner!;
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var heartbeat = KeepLeaseAsync(job.Id, owner, lease);
        var run = new JobRun(job, clock, Lease);
        if (run.Resumed)
        {
            logger.LogInformation("Job {Job} ({Kind}) resumed at {Done} done, attempt {Attempt}", job.Id, job.Kind, job.Done, job.Attempts);
        }

        try
        {
            var report = await _handlers[job.Kind].RunAsync(run, lease.Token);
            if (await FinishAsync(job.Id, owner, JobStates.Succeeded, report, error: null))
            {
                logger.LogInformation("Job {Job} ({Kind}) succeeded: {Report}", job.Id, job.Kind, report);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Handed back for the next start (or another replica) to resume from its checkpoint, without waiting for the
            // lease; a hand-back is not a failed attempt.
            await ReleaseAsync(job.Id, owner, until: null, error: null, handBack: true);
        }
        catch (JobRefusedException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            await FinishAsync(job.Id, owner, JobStates.Failed, report: null, ex.Message);
        }
        catch (Exception ex)
        {
            if ((ex is DbUpdateConcurrencyException || (ex is OperationCanceledException && lease.IsCancellationRequested))
                && await TakenOverAsync(job.Id, owner))
            {
                logger.LogWarning("Job {Job} ({Kind}) was taken over by another runner after its lease passed; this run stops", job.Id, job.Kind);
                return;
            }

            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            var error = Describe(ex);
            if (job.Attempts >= MaxAttempts)
            {
                logger.LogWarning(ex, "Job {Job} ({Kind}) failed on its last attempt ({Attempt})", job.Id, job.Kind, job.Attempts);
                await FinishAsync(job.Id, owner, JobStates.Failed, report: null, $"{error} (after {job.Attempts} attempts)");
            }
            else
            {
                var retry = RetryAfter * Math.Pow(2, job.Attempts - 1);
                logger.LogWarning(ex, "Job {Job} ({Kind}) attempt {Attempt} failed; retried in {Retry}", job.Id, job.Kind, job.Attempts, retry);
                await ReleaseAsync(job.Id, owner, clock.GetUtcNow() + retry,
                    $"{error} — retried at {clock.GetUtcNow() + retry:u} (attempt {job.Attempts} of {MaxAttempts}).", handBack: false);
            }
        }
        finally
        {
            await lease.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>Whether the run failed because another runner has the job now (its late write refused, or its lease
    /// renewal refused) — rather than for a reason of its own.</summary>
    private async Task<bool> TakenOverAsync(Guid id, string owner)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        return !await db.Jobs.AnyAsync(j => j.Id == id && j.LeaseOwner == owner);
    }

    /// <summary>Renews the lease while the job runs (a third of it at a time); a renewal refused means another runner has
    /// the job, and this run is cancelled. A renewal that fails (the database away) is tried again at the next beat.</summary>
    private async Task KeepLeaseAsync(Guid id, string owner, CancellationTokenSource lease)
    {
        while (!lease.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Lease / 3, lease.Token);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                var until = clock.GetUtcNow() + Lease;
                var renewed = await db.Jobs.Where(j => j.Id == id && j.LeaseOwner == owner && j.State == JobStates.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, until), lease.Token);
                if (renewed == 0)
                {
                    await lease.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return; // the run ended, or the process stops
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not renew the lease of job {Job}; trying again at the next beat", id);
            }
        }
    }

    /// <summary>Writes the job's end, if this run still holds it; answers whether it did.</summary>
    private async Task<bool> FinishAsync(Guid id, string owner, string state, string? report, string? error)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var now = clock.GetUtcNow();
            return await db.Jobs.Where(j => j.Id == id && j.LeaseOwner == owner).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, state)
                .SetProperty(j => j.Report, report)
                .SetProperty(j => j.Error, error)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.UpdatedAt, now)
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(j => j.Version, j => j.Version + 1), CancellationToken.None) == 1;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not write the end of job {Job} ({State}); it is taken again once its lease passes", id, state);
            return false;
        }
    }

    private async Task ReleaseAsync(Guid id, string owner, DateTimeOffset? until, string? error, bool handBack)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var now = clock.GetUtcNow();
            var giveBack = handBack ? 1 : 0;
            await db.Jobs.Where(j => j.Id == id && j.LeaseOwner == owner).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseUntil, until)
                .SetProperty(j => j.Error, error)
                .SetProperty(j => j.Attempts, j => j.Attempts - giveBack)
                .SetProperty(j => j.UpdatedAt, now)
                .SetProperty(j => j.Version, j => j.Version + 1), CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not hand job {Job} back; it is taken again once its lease passes", id);
        }
    }

    /// <summary>What the merchant reads of a failed attempt: the platform's own words, never an internal message.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        HttpRequestException { StatusCode: System.Net.HttpStatusCode.ServiceUnavailable } =>
            "The marketplace is unavailable (maintenance, or its calls are paused after repeated 503 answers).",
        HttpRequestException { StatusCode: { } status } => $"The marketplace answered HTTP {(int)status}.",
        HttpRequestException => "The marketplace could not be reached.",
        TimeoutException or TaskCanceledException => "The marketplace did not answer in time.",
        _ => "The platform failed on it (its logs and trace say why).",
    };
}
