using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rakuten.Platform.Benchmarks;

/// <summary>The stock changes sent per SKU and when each reached one channel. A quantity seen there means that
/// change and every earlier change of its SKU have arrived: channels receive the latest quantity, so a change
/// overtaken on the way is counted as arriving with the one that overtook it.</summary>
public sealed class Arrivals
{
    private readonly ConcurrentDictionary<string, List<Change>> _sent = new();
    private readonly ConcurrentDictionary<string, int> _seen = new();
    private readonly ConcurrentBag<(int Second, double Ms)> _latencies = [];

    public readonly record struct Change(int Quantity, long At, int Second);

    public void Sent(string sku, Change change)
    {
        var list = _sent.GetOrAdd(sku, _ => []);
        lock (list) list.Add(change);
    }

    /// <summary>The channel holds <paramref name="quantity"/> for <paramref name="sku"/> at <paramref name="now"/>;
    /// returns the changes that arrived with it.</summary>
    public IReadOnlyList<Change> Seen(string sku, int quantity, long now)
    {
        if (_seen.TryGetValue(sku, out var last) && last == quantity || !_sent.TryGetValue(sku, out var list)) return [];
        _seen[sku] = quantity;
        lock (list)
        {
            var index = list.FindIndex(s => s.Quantity == quantity);
            if (index < 0) return [];
            var arrived = list.Take(index + 1).ToList();
            list.RemoveRange(0, index + 1);
            foreach (var change in arrived) _latencies.Add((change.Second, Stopwatch.GetElapsedTime(change.At, now).TotalMilliseconds));
            return arrived;
        }
    }

    public bool AllArrived => _sent.Values.All(l => { lock (l) return l.Count == 0; });

    public IEnumerable<string> Waiting(int count) =>
        _sent.Where(s => { lock (s.Value) return s.Value.Count > 0; }).Take(count)
            .Select(s => { lock (s.Value) return $"{s.Key}: waiting for {string.Join(",", s.Value.Select(c => c.Quantity))}, the channel shows {_seen.GetValueOrDefault(s.Key)}"; });

    /// <summary>Sorted latencies (ms) of the changes sent from <paramref name="fromSecond"/> on.</summary>
    public List<double> Latencies(int fromSecond = 0) => _latencies.Where(l => l.Second >= fromSecond).Select(l => l.Ms).Order().ToList();

    /// <summary>p50 and p99 per window of send time: a warm-up or a backlog shows as windows above the rest.</summary>
    public IEnumerable<string> Windows(int seconds, int warmUp) =>
        _latencies.GroupBy(l => l.Second / seconds).OrderBy(g => g.Key).Select(window =>
        {
            var sorted = window.Select(l => l.Ms).Order().ToList();
            return $"changes sent at {window.Key * seconds,3}-{window.Key * seconds + seconds} s{(window.Key * seconds < warmUp ? " (warm-up)" : "")}: " +
                   $"p50 {Stats.Percentile(sorted, 50):N0} ms, p99 {Stats.Percentile(sorted, 99):N0} ms";
        });
}
