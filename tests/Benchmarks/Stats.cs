namespace Rakuten.Platform.Benchmarks;

public static class Stats
{
    /// <summary>The nearest-rank percentile of sorted samples (NaN when there are none).</summary>
    public static double Percentile(List<double> sorted, int p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
}
