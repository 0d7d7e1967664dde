using System.Collections.Concurrent;

namespace Rakuten.Platform.Channels.RakutenJp.PublishingItems;

/// <summary>Keeps calls to one RMS API at most <c>perSecond</c> per shop over any rolling second (how RMS
/// counts): a caller waits for its slot instead of earning a 429. One gate per process; several replicas
/// of this service would each need their share of the rate.</summary>
public sealed class RmsRateGate(TimeProvider clock)
{
    // Requests reach RMS a little after they leave: a margin keeps network jitter from crowding a window.
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(40);

    private readonly ConcurrentDictionary<(Guid Connection, string Api), Queue<DateTimeOffset>> _windows = new();

    public async Task WaitAsync(Guid connectionId, string api, int perSecond, CancellationToken ct)
    {
        if (perSecond <= 0)
        {
            return;
        }

        var window = _windows.GetOrAdd((connectionId, api), _ => new Queue<DateTimeOffset>());
        while (true)
        {
            TimeSpan wait;
            lock (window)
            {
                var now = clock.GetUtcNow();
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

            // Task.Delay on real time: the slot frees in real time even when a test drives the clock.
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), ct);
        }
    }
}
