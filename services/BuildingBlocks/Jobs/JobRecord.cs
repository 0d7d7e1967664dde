namespace Rakuten.Platform.BuildingBlocks.Jobs;

/// <summary>A long operation a merchant started (an import, a reconciliation, a resync): what, for whom, how far, what
/// failed and why, and its final report. Its progress commits with the work it counts (<see cref="JobRun.Stage"/>),
/// so the <see cref="Checkpoint"/> is exactly where a resumed run goes on. <see cref="Version"/> changes with every
/// write: a runner that lost its lease to another replica cannot commit over it.</summary>
public sealed class JobRecord
{
    public required Guid Id { get; init; }

    public required Guid TenantId { get; init; }

    /// <summary>What it does (<c>products.import</c>, <c>stock.reconcile</c>, <c>catalog.resync</c>): picks the handler.</summary>
    public required string Kind { get; init; }

    /// <summary>What it works on, as the audit log names it (<c>connection/{id}</c>).</summary>
    public required string Target { get; init; }

    public required string RequestedBy { get; init; }

    public string State { get; set; } = JobStates.Queued;

    public int Done { get; set; }

    /// <summary>How many items there are, once known.</summary>
    public int? Total { get; set; }

    public int Failed { get; set; }

    /// <summary>The first <see cref="JobRun.MaxFailuresKept"/> failures, as JSON <c>[{item, reason}]</c>.</summary>
    public string Failures { get; set; } = "[]";

    /// <summary>Where the work goes on after a restart (a page cursor, the last item done); the handler's own words.</summary>
    public string? Checkpoint { get; set; }

    public string? Report { get; set; }

    /// <summary>Why the last attempt stopped (retried while <see cref="State"/> is Running; final when Failed).</summary>
    public string? Error { get; set; }

    public int Attempts { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? LeaseOwner { get; set; }

    /// <summary>Until when <see cref="LeaseOwner"/> runs it; after that (or when null) any runner may take it.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>The request that started it (W3C traceparent): each run's span links to it.</summary>
    public string? TraceParent { get; init; }

    public long Version { get; set; }
}

public static class JobStates
{
    public const string Queued = "Queued";

    public const string Running = "Running";

    public const string Succeeded = "Succeeded";

    /// <summary>Stopped for good: refused (the connection was removed), or failed on every attempt.</summary>
    public const string Failed = "Failed";
}

/// <summary>One item the job could not do, and why.</summary>
public sealed record JobFailure(string Item, string Reason);
