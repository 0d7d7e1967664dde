namespace Rakuten.Platform.Sandbox.Infrastructure;

/// <summary>The Sandbox's time: the system clock plus an offset the control API can move forward, so that
/// license expiry, 730-day windows and rate-limit seconds can be exercised without waiting.</summary>
public sealed class SandboxClock : TimeProvider
{
    private long _offsetTicks;

    public static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public DateTimeOffset NowJst => GetUtcNow().ToOffset(Jst);

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
