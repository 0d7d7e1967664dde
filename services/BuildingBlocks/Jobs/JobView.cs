using System.Text.Json;

namespace Rakuten.Platform.BuildingBlocks.Jobs;

/// <summary>A job as the API shows it: its state, <c>Done</c> of <c>Total</c> (null until known), the failures with their
/// reasons, an estimate of when it finishes (from its pace so far), and its report once finished.</summary>
public sealed record JobView(
    Guid Id, string Kind, string Target, string State, int Done, int? Total, int Failed, IReadOnlyList<JobFailure> Failures,
    DateTimeOffset? EstimatedFinishAt, string? Report, string? Error, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt, string Location)
{
    public static JobView Of(JobRecord job, string prefix, DateTimeOffset now) => new(
        job.Id, job.Kind, job.Target, job.State, job.Done, job.Total, job.Failed,
        JsonSerializer.Deserialize<List<JobFailure>>(job.Failures, JobRun.Json) ?? [],
        Eta(job, now), job.Report, job.Error, job.Attempts, job.CreatedAt, job.StartedAt, job.UpdatedAt, job.FinishedAt,
        $"{prefix.TrimEnd('/')}/jobs/{job.Id}");

    /// <summary>The pace so far carried over what is left: known once the total is and something is done.</summary>
    public static DateTimeOffset? Eta(JobRecord job, DateTimeOffset now)
    {
        if (job.State != JobStates.Running || job.StartedAt is not { } started || job.Total is not { } total || job.Done <= 0)
        {
            return null;
        }

        // In seconds, as a double, capped at a month: a first item that took long cannot overflow the date.
        var left = (now - started).TotalSeconds / job.Done * Math.Max(0, total - job.Done);
        return now + TimeSpan.FromSeconds(Math.Min(left, TimeSpan.FromDays(30).TotalSeconds));
    }
}
