namespace Rakuten.Platform.Sandbox.Infrastructure;

/// <summary>Counts events over a rolling window (a queue of their times): the marketplaces' "N per second",
/// "N per hour" and "N per minute" rules are all this.</summary>
public static class SlidingWindow
{
    /// <summary>Forgets the events older than <paramref name="window"/> and returns how many remain.</summary>
    public static int Count(Queue<DateTimeOffset> events, TimeSpan window, DateTimeOffset now)
    {
        while (events.Count > 0 && now - events.Peek() >= window)
        {
            events.Dequeue();
        }

        return events.Count;
    }

    /// <summary>Records an event at <paramref name="now"/> if fewer than <paramref name="limit"/> fall in the window.</summary>
    public static bool TryTake(Queue<DateTimeOffset> events, int limit, TimeSpan window, DateTimeOffset now)
    {
        if (Count(events, window, now) >= limit)
        {
            return false;
        }

        events.Enqueue(now);
        return true;
    }
}
