namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>Wakes a background loop early: at most one pending wake-up, so a burst of pulses is one round for
/// the loop, which otherwise runs on its own interval.</summary>
public class WakeSignal
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Pulse()
    {
        if (_pending.CurrentCount == 0)
        {
            try
            {
                _pending.Release();
            }
            catch (SemaphoreFullException)
            {
                // Pulsed twice at the same instant: one wake-up covers both.
            }
        }
    }

    /// <summary>True when pulsed, false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _pending.WaitAsync(timeout, ct);
}
