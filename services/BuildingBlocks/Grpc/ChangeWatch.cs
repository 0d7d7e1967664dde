using Grpc.Core;
using Rakuten.Platform.BuildingBlocks.Changes;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Grpc;

/// <summary>A gRPC watch over a change feed. Without a token: a first message with the current position, then live
/// changes. With one: every change after it from the table, then the live ones, each once and in feed order. A token the
/// feed no longer reaches back to is OUT_OF_RANGE; a watcher that lets its buffer fill is ended with RESOURCE_EXHAUSTED
/// (it resumes by its last token) rather than holding up the others.</summary>
public static class ChangeWatch
{
    private const int HistoryPage = 500;

    public static async Task RunAsync<TContext, TResponse>(ChangeFeed<TContext> feed, Guid tenantId, string topic, string resumeToken,
        Func<ChangeRow, bool> wanted, Func<ChangeRow?, string, TResponse> message, IServerStreamWriter<TResponse> stream, string reread, CancellationToken ct)
        where TContext : PlatformDbContext
    {
        ChangeCursor? after = null;
        if (resumeToken.Length > 0)
        {
            after = ChangeCursor.Parse(resumeToken, topic)
                    ?? throw GrpcProblem.Invalid(("resume_token", "is not a resume token of this watch: pass the resume_token of a message it sent, or none"));
            if (after < await feed.HorizonAsync(ct))
            {
                throw new RpcException(new Status(StatusCode.OutOfRange,
                    $"The resume token is older than the changes the platform keeps ({feed.Options.Retention.TotalDays:0.#} days): {reread}, then watch without a token."));
            }
        }

        using var subscription = await feed.SubscribeAsync(tenantId, topic, wanted, ct);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, subscription.EndedToken);
        var last = after ?? subscription.LiveFrom;
        if (after is null)
        {
            await stream.WriteAsync(message(null, subscription.LiveFrom.Token(topic)), ct);
        }

        try
        {
            if (after is not null)
            {
                await ReplayAsync(feed, tenantId, topic, after.Value, subscription.LiveFrom, wanted, message, stream, both.Token);
            }

            await foreach (var row in subscription.Reader.ReadAllAsync(ct))
            {
                if (row.Cursor <= last)
                {
                    continue; // a token ahead of this replica's feed: those rows were delivered before
                }

                last = row.Cursor;
                await stream.WriteAsync(message(row, row.Cursor.Token(topic)), both.Token);
            }
        }
        catch (OperationCanceledException) when (subscription.Overflowed && !ct.IsCancellationRequested)
        {
            // A write stuck on a client that stopped reading: ended below, like an overflow.
        }

        if (subscription.Overflowed)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"This watch fell more than {feed.Options.SubscriberBuffer} changes behind; reconnect with the resume token of the last message received."));
        }

        if (!ct.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The service is shutting down; reconnect with the resume token of the last message received."));
        }
    }

    /// <summary>The past, from the table, after the token up to where the live rows begin.</summary>
    private static async Task ReplayAsync<TContext, TResponse>(ChangeFeed<TContext> feed, Guid tenantId, string topic, ChangeCursor after, ChangeCursor upTo,
        Func<ChangeRow, bool> wanted, Func<ChangeRow?, string, TResponse> message, IServerStreamWriter<TResponse> stream, CancellationToken ct)
        where TContext : PlatformDbContext
    {
        var last = after;
        while (true)
        {
            var rows = await feed.ReadAsync(tenantId, topic, last, upTo, HistoryPage, ct);
            foreach (var row in rows)
            {
                last = row.Cursor;
                if (wanted(row))
                {
                    await stream.WriteAsync(message(row, row.Cursor.Token(topic)), ct);
                }
            }

            if (rows.Count < HistoryPage)
            {
                return;
            }
        }
    }
}
