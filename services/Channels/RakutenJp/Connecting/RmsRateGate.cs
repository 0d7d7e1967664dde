using System.Collections.Concurrent;
using System.Diagnostics;
using Rakuten.Platform.BuildingBlocks.Hosting;

namespace Rakuten.Platform.Channels.RakutenJp.Connecting;

/// <summary>Keeps calls to one RMS API at most <c>perSecond</c> per shop over any rolling second (how RMS
/// counts): a caller waits for its slot instead of earning a 429. One gate per process; several replicas
/// of this service would each need their share of the rate. It runs on the machine's monotonic clock, never on
/// the platform's business clock (which tests move by hand): a rate is real time.</summary>
public sealed class RmsRateGate
{
    // Requests reach RMS a little after they leave: a margin keeps network jitter from crowding a window.
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(40);

    private static readonly long Origin = Stopwatch.GetTimestamp();

    private readonly ConcurrentDictionary<(Guid Connection, string Api), Queue<TimeSpan>> _windows = new();

    public async Task WaitAsync(Guid connectionId, string api, int perSecond, CancellationToken ct)
    {
        if (perSecond <= 0)
        {
            return;
        }

        var window = _windows.GetOrAdd((connectionId, api), _ => new Queue<TimeSpan>());
        var asked = Stopwatch.GetTimestamp();
        while (true)
        {
            TimeSpan wait;
            lock (window)
            {
                var now = Stopwatch.GetElapsedTime(Origin);
                while (window.Count > 0 && now - window.Peek() >= Window)
                {
                    window.Dequeue();
                }

                if (window.Count < perSecond)
                {
                    window.Enqueue(now);
                    PlatformDiagnostics.RecordRateLimitWait(nameof(Contracts.Channel.RakutenJp), api, Stopwatch.GetElapsedTime(asked));
                    return;
                }

                wait = Window - (now - window.Peek());
            }

            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), ct);
        }
    }

    /// <summary>Moves the latest slot of (connection, api) to now: for a caller that took its slot, then did some
    /// work (gathering its batch) before sending — RMS counts the request when it arrives, not when the slot was taken.</summary>
    public void Restamp(Guid connectionId, string api)
    {
        if (!_windows.TryGetValue((connectionId, api), out var window))
        {
            return;
        }

        lock (window)
        {
            if (window.Count == 0)
            {
                return;
            }

            var kept = window.ToArray();
            kept[^1] = Stopwatch.GetElapsedTime(Origin);
            window.Clear();
            foreach (var at in kept)
            {
                window.Enqueue(at);
            }
        }
    }
}
