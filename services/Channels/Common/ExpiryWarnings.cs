using Rakuten.Platform.Contracts.Connections;

namespace Rakuten.Platform.Channels.Common;

/// <summary>When credentials that expire (RMS license keys last 90 days) must be renewed: a warning 14 days
/// before, another 7 days before, and Expired on the day — each raised once per key.</summary>
public static class ExpiryWarnings
{
    private static readonly int[] Thresholds = [14, 7, 0];

    public sealed record Decision(ConnectionHealth Health, int WarningDays, string Detail);

    /// <summary>The warning to raise now, or null when none is due (or it was already raised).</summary>
    public static Decision? Decide(DateTimeOffset expiresAt, DateTimeOffset now, int? lastWarningDays)
    {
        var left = expiresAt - now;
        var due = Thresholds.Where(t => left <= TimeSpan.FromDays(t)).DefaultIfEmpty(-1).Min();
        if (due < 0 || (lastWarningDays is { } last && last <= due))
        {
            return null;
        }

        return due == 0
            ? new Decision(ConnectionHealth.Expired, 0, $"The credentials expired on {expiresAt:yyyy-MM-dd}: issue a new license key in RMS and update the connection.")
            : new Decision(ConnectionHealth.ExpiringSoon, due,
                $"The credentials expire on {expiresAt:yyyy-MM-dd} ({Math.Max(0, (int)Math.Ceiling(left.TotalDays))} days left): issue a new license key in RMS and update the connection.");
    }
}
