using System.Runtime.CompilerServices;
using Grpc.Core;
using Rakuten.Platform.Api.V1;

namespace Rakuten.Platform.Client;

/// <summary>A watch that survives disconnects: it remembers the resume token of the last message and, when the stream
/// ends for a reason a reconnect cures (the server restarted, the network dropped, the consumer fell too far behind),
/// opens it again from that token — so the caller sees every change once, in order. OUT_OF_RANGE (the token is older
/// than the changes the platform keeps), authentication and argument errors are the caller's to handle.</summary>
public static class ResumableWatch
{
    /// <summary>The tenant's order changes from <paramref name="resumeToken"/> (null: from now on), resumed across disconnects.</summary>
    public static IAsyncEnumerable<WatchOrdersResponse> WatchOrdersResumably(this Orders.OrdersClient client, WatchOrdersRequest request,
        string? resumeToken = null, WatchOptions? options = null, CancellationToken ct = default) =>
        Watch(token => client.WatchOrders(new WatchOrdersRequest(request) { ResumeToken = token ?? "" }, cancellationToken: ct),
            m => m.ResumeToken, resumeToken, options ?? new WatchOptions(), ct);

    /// <summary>The availability changes of the tenant's SKUs (or those <paramref name="request"/> names), resumed across disconnects.</summary>
    public static IAsyncEnumerable<WatchAvailabilityResponse> WatchAvailabilityResumably(this Inventory.InventoryClient client, WatchAvailabilityRequest request,
        string? resumeToken = null, WatchOptions? options = null, CancellationToken ct = default) =>
        Watch(token => client.WatchAvailability(new WatchAvailabilityRequest(request) { ResumeToken = token ?? "" }, cancellationToken: ct),
            m => m.ResumeToken, resumeToken, options ?? new WatchOptions(), ct);

    /// <summary>Any watch of the API: <paramref name="open"/> starts the stream after a token (null: from now on).</summary>
    public static async IAsyncEnumerable<T> Watch<T>(Func<string?, AsyncServerStreamingCall<T>> open, Func<T, string> tokenOf, string? resumeToken,
        WatchOptions options, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var token = string.IsNullOrEmpty(resumeToken) ? null : resumeToken;
        var failures = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            using var call = open(token);
            var enumerator = call.ResponseStream.ReadAllAsync(ct).GetAsyncEnumerator(ct);
            RpcException? ended = null;
            try
            {
                while (true)
                {
                    T item;
                    try
                    {
                        if (!await enumerator.MoveNextAsync())
                        {
                            break;
                        }

                        item = enumerator.Current;
                    }
                    catch (RpcException ex) when (Resumable(ex.StatusCode) && !ct.IsCancellationRequested)
                    {
                        ended = ex;
                        break;
                    }

                    failures = 0;
                    token = tokenOf(item);
                    options.OnResumeToken?.Invoke(token);
                    yield return item;
                }
            }
            finally
            {
                await enumerator.DisposeAsync();
            }

            // A stream the server ends cleanly (it is shutting down) is reopened just like a dropped one.
            if (++failures > options.MaxConsecutiveFailures)
            {
                throw ended ?? new RpcException(new Status(StatusCode.Unavailable, "The watch kept ending without a change."));
            }

            await Task.Delay(Backoff(failures, options), ct);
        }
    }

    private static bool Resumable(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.Internal or StatusCode.Aborted or StatusCode.Unknown;

    private static TimeSpan Backoff(int failures, WatchOptions options)
    {
        var ms = Math.Min(options.MaxBackoff.TotalMilliseconds, options.InitialBackoff.TotalMilliseconds * Math.Pow(2, failures - 1));
        return TimeSpan.FromMilliseconds(ms * (0.5 + Random.Shared.NextDouble() / 2)); // jitter: many watchers do not reconnect in step
    }
}

/// <summary>How <see cref="ResumableWatch"/> reconnects.</summary>
public sealed record WatchOptions
{
    /// <summary>Reconnects in a row without receiving anything before giving up with the last error.</summary>
    public int MaxConsecutiveFailures { get; init; } = 10;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Called with each message's token, for a caller that stores it (to resume after its own restart).</summary>
    public Action<string>? OnResumeToken { get; init; }
}
