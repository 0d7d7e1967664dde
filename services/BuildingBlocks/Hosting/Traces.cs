using System.Diagnostics;
using MassTransit;

namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>One order (one stock change, one listing) is one trace, from the poll or webhook that found it to the last
/// marketplace call it causes, whichever process and whichever moment each step runs in. Work that starts later than
/// its cause — an export made by a background loop, a fulfilment found by a webhook days after the order, one message
/// of a batch — re-enters the cause's trace from a stored <c>traceparent</c>; what actually woke the work (the webhook's
/// request, the loop's round) is kept as a link.</summary>
public static class Traces
{
    /// <summary>MassTransit 8 carries the sender's activity in this header (W3C format).</summary>
    public const string MessageHeader = "MT-Activity-Id";

    private static readonly AsyncLocal<IReadOnlyDictionary<object, string>?> BatchParents = new();

    /// <summary>The current trace position to store with work that continues later (null outside a trace).</summary>
    public static string? Current => Activity.Current?.Id;

    /// <summary>Starts a new trace (a root span) for one thing found — an order in a poll, a product in a webhook — with
    /// a link to the span that found it, so that each order has its own trace rather than sharing the poll's.</summary>
    public static Activity? StartRoot(string name, ActivityKind kind = ActivityKind.Consumer, IEnumerable<KeyValuePair<string, object?>>? tags = null) =>
        StartNewTrace(name, kind, tags, Activity.Current is { } finder ? [new ActivityLink(finder.Context)] : null);

    /// <summary>Starts a new trace for work that carries many things at once — a bulk stock push — linked to the trace
    /// of each change it carries: the push shows every change it delivered, each link leading to that change's trace
    /// (its webhook, Inventory's decision). Without a change that has a trace nothing is started: a bare background
    /// round would be a trace of one span nobody reads.</summary>
    public static Activity? StartLinked(string name, IEnumerable<string?> traceParents, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        var links = traceParents.Distinct()
            .Select(p => ActivityContext.TryParse(p, null, out var context) ? new ActivityLink(context) : default)
            .Where(l => l.Context != default)
            .ToList();
        return links.Count == 0 ? null : StartNewTrace(name, ActivityKind.Internal, tags, links);
    }

    /// <summary>For work applying several things found separately (a batch of webhooks): one thing, or several of one
    /// trace, continue that trace; things of several traces start a trace linked to each.</summary>
    public static Activity? StartForMany(string name, IEnumerable<string?> traceParents)
    {
        var distinct = traceParents.OfType<string>().Distinct().ToList();
        return distinct.Count == 1 ? Continue(distinct[0], name) : StartLinked(name, distinct);
    }

    // A root span: the current activity (the poll, the round) must not become its parent, only a link.
    private static Activity? StartNewTrace(string name, ActivityKind kind, IEnumerable<KeyValuePair<string, object?>>? tags, IEnumerable<ActivityLink>? links)
    {
        var current = Activity.Current;
        Activity.Current = null;
        try
        {
            return PlatformDiagnostics.ActivitySource.StartActivity(name, kind, default(ActivityContext), tags, links);
        }
        finally
        {
            if (Activity.Current is null)
            {
                Activity.Current = current;
            }
        }
    }

    /// <summary>Continues the trace stored as <paramref name="traceParent"/> (no trace stored: a span of the current
    /// trace, if any), linking the span that is current now — the round or request that picked the work up.</summary>
    public static Activity? Continue(string? traceParent, string name, ActivityKind kind = ActivityKind.Internal)
    {
        if (!ActivityContext.TryParse(traceParent, null, out var parent))
        {
            return PlatformDiagnostics.ActivitySource.StartActivity(name, kind);
        }

        var waker = Activity.Current;
        var links = waker is null || waker.TraceId == parent.TraceId ? null : new[] { new ActivityLink(waker.Context) };
        return PlatformDiagnostics.ActivitySource.StartActivity(name, kind, parent, links: links);
    }

    /// <summary>Within a batch consumer: a span of <paramref name="message"/>'s own trace, so each message of a batch
    /// continues the trace it came in (the batch's consume span belongs to one of them only).</summary>
    public static Activity? ContinueMessage(object message, string name) =>
        ParentOf(message) is { } parent ? Continue(parent, name) : null;

    /// <summary>The trace a message of the batch being handled came in (null: none, or not in a remembered batch).</summary>
    public static string? ParentOf(object message) => BatchParents.Value?.GetValueOrDefault(message);

    /// <summary>Remembers each message's sender for <see cref="ContinueMessage"/> and <see cref="ParentOf"/> while a batch is handled.</summary>
    public static void Remember<T>(Batch<T> batch) where T : class =>
        BatchParents.Value = batch.Select(c => (c.Message, Parent: c.Headers.Get<string>(MessageHeader)))
            .Where(c => c.Parent is not null)
            .ToDictionary(c => (object)c.Message, c => c.Parent!, ReferenceEqualityComparer.Instance);
}
