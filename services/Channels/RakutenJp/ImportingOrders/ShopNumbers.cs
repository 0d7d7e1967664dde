using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.Rms;

namespace Rakuten.Platform.Channels.RakutenJp.ImportingOrders;

/// <summary>Which RMS shop an order belongs to, by the shop number that prefixes its order number
/// (<c>{shop}-{yyyymmdd}-{sequence}</c>, reference/rakuten-jp-rms.md §3.4) — the only place RMS says it. One shop backs
/// one connection: a connection learns its shop's number from the first order it sees (if the check at connect found
/// none), and an order of another shop is never imported through it.</summary>
public static class ShopNumbers
{
    public sealed record Verdict(string? Learned, IReadOnlyList<string> Accepted, IReadOnlyList<string> Refused);

    /// <summary>Pure: the numbers of <paramref name="orderNumbers"/> that are this shop's, and the shop number to learn
    /// (the most frequent prefix, when the connection knows none yet).</summary>
    public static Verdict Decide(string? known, IReadOnlyList<string> orderNumbers)
    {
        var learned = known is null
            ? orderNumbers.Select(RmsOrderNumbers.ShopNumberOf).OfType<string>().GroupBy(n => n).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key).FirstOrDefault()
            : null;
        var shop = known ?? learned;
        var accepted = new List<string>();
        var refused = new List<string>();
        foreach (var number in orderNumbers)
        {
            // A number without a shop prefix is not an RMS order number at all: it is imported, and held as unreadable.
            (RmsOrderNumbers.ShopNumberOf(number) is { } prefix && prefix != shop ? refused : accepted).Add(number);
        }

        return new Verdict(learned, accepted, refused);
    }
}
