using Microsoft.Extensions.Logging;

namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>How the background loops (pollers, sweeps, pushers) run their rounds: a failed round is logged and the next
/// one comes; inside a round, one shop's, seller's or order's failure is logged and never stops the others — each
/// resumes next round from what is on disk.</summary>
public static class BackgroundRounds
{
    /// <summary>Runs <paramref name="round"/>, then waits (<paramref name="wait"/>), until stopped; with
    /// <paramref name="waitFirst"/> the first wait comes before the first round.</summary>
    public static async Task RepeatAsync(Func<CancellationToken, Task> round, Func<CancellationToken, Task> wait, ILogger logger, string what,
        CancellationToken stoppingToken, bool waitFirst = false)
    {
        if (waitFirst)
        {
            await wait(stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await round(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "{What} round failed; retried next round", what);
            }

            await wait(stoppingToken);
        }
    }

    /// <summary>Works through <paramref name="items"/> one at a time; a failure is logged against its item and the rest go on.</summary>
    public static async Task EachAsync<T>(IEnumerable<T> items, Func<T, CancellationToken, Task> work, ILogger logger, string what, CancellationToken ct)
    {
        foreach (var item in items)
        {
            try
            {
                await work(item, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "{What} for {Item} failed; it resumes next round from where it stopped", what, item);
            }
        }
    }
}
