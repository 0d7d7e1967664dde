using System.Collections.Concurrent;

namespace Rakuten.Platform.Sandbox.Infrastructure;

/// <summary>Requests per second per (account, bucket), enforced over a sliding one-second window: the
/// (n+1)-th request within any second is refused, as the marketplaces answer 429 when a shop exceeds them.</summary>
public sealed class RateLimits(SandboxClock clock)
{
    private readonly ConcurrentDictionary<(string Account, string Bucket), Queue<DateTimeOffset>> _windows = new();

    public bool Enabled { get; set; } = true;

    /// <summary>True when the request may proceed; otherwise how long until it would.</summary>
    public bool TryAcquire(string account, string bucket, int perSecond, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!Enabled || perSecond <= 0)
        {
            return true;
        }

        var window = _windows.GetOrAdd((account, bucket), _ => new Queue<DateTimeOffset>());
        lock (window)
        {
            var now = clock.GetUtcNow();
            if (SlidingWindow.TryTake(window, perSecond, TimeSpan.FromSeconds(1), now))
            {
                return true;
            }

            retryAfter = TimeSpan.FromSeconds(1) - (now - window.Peek());
            return false;
        }
    }

    public void Reset() => _windows.Clear();
}
