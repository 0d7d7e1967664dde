using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rakuten.Platform.Channels.RakutenJp.PublishingItems;

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
                    return;
                }

                wait = Window - (now - window.Peek());
            }

            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), ct);
        }
    }
}
