using System.Diagnostics;

namespace Rakuten.Platform.Benchmarks;

/// <summary>Waiting for the platform to reach a state, with a deadline that names what did not happen.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan interval, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"the benchmark timed out waiting for {what}");
            await Task.Delay(interval);
        }
    }
}
