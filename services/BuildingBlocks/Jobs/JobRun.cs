using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Jobs;

/// <summary>One run of a job, as its handler sees it: where the last run stopped (<see cref="Checkpoint"/>,
/// <see cref="Done"/>) and <see cref="Stage"/> to record progress with the work it counts.</summary>
public sealed class JobRun
{
    /// <summary>How many failures a job keeps with their reasons; the rest are counted.</summary>
    public const int MaxFailuresKept = 100;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly JobRecord _record;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lease;

    internal JobRun(JobRecord record, TimeProvider clock, TimeSpan lease)
    {
        _record = record;
        _clock = clock;
        _lease = lease;
        Resumed = record.Done > 0 || record.Attempts > 1;
    }

    public Guid Id => _record.Id;

    public Guid TenantId => _record.TenantId;

    public string Target => _record.Target;

    /// <summary>The id in a target of the form <c>kind/{id}</c>.</summary>
    public Guid TargetId => Guid.Parse(_record.Target[(_record.Target.IndexOf('/') + 1)..]);

    public string? Checkpoint => _record.Checkpoint;

    public int Done => _record.Done;

    public int? Total => _record.Total;

    public int Failed => _record.Failed;

    /// <summary>A run that goes on where an earlier one (on this or another replica) stopped.</summary>
    public bool Resumed { get; }

    internal JobRecord Record => _record;

    /// <summary>Records progress in <paramref name="db"/>: it commits with that context's next save, together with the work
    /// it counts, so a restart resumes exactly after it. Throws at that save (<see cref="DbUpdateConcurrencyException"/>)
    /// when another runner took the job over meanwhile: the work is then not committed twice.</summary>
    public void Stage(PlatformDbContext db, int done = 0, int? total = null, string? checkpoint = null, IEnumerable<JobFailure>? failures = null)
    {
        if (db.Entry(_record).State == EntityState.Detached)
        {
            db.Attach(_record);
        }

        var now = _clock.GetUtcNow();
        _record.Done += done;
        _record.Total = total ?? _record.Total;
        _record.Checkpoint = checkpoint ?? _record.Checkpoint;
        var newFailures = failures?.ToList() ?? [];
        if (newFailures.Count > 0)
        {
            var kept = JsonSerializer.Deserialize<List<JobFailure>>(_record.Failures, Json) ?? [];
            kept.AddRange(newFailures.Take(Math.Max(0, MaxFailuresKept - kept.Count)));
            _record.Failures = JsonSerializer.Serialize(kept, Json);
            _record.Failed += newFailures.Count;
        }

        _record.UpdatedAt = now;
        _record.LeaseUntil = now + _lease;
        _record.Version++;
    }
}

/// <summary>Does one kind of job for <typeparamref name="TContext"/>'s service. Resumable: a run may start where an
/// earlier one stopped (<see cref="JobRun.Checkpoint"/>); what it does twice must be harmless.</summary>
public interface IJobHandler<TContext> where TContext : PlatformDbContext
{
    string Kind { get; }

    /// <summary>Does the work, staging progress with it (<see cref="JobRun.Stage"/>); answers the final report.</summary>
    Task<string> RunAsync(JobRun run, CancellationToken ct);
}

/// <summary>A job that cannot go on, for a reason the merchant can act on: failed at once, not retried.</summary>
public sealed class JobRefusedException(string message) : Exception(message);
