namespace Rakuten.Platform.Inventory.AllocatingStock;

public enum ReservationStep
{
    /// <summary>OrderAccepted: the order's lines are held.</summary>
    Accept,

    /// <summary>OrderCancelled: some or all of its units are given back.</summary>
    Cancel,

    /// <summary>OrderExported or ShipmentDispatched: Shopify's own stock now counts the order; nothing stays held.</summary>
    End,

    /// <summary>OrderLinesChanged: the marketplace changed the order's lines; the lines are the change per SKU (negative: fewer).</summary>
    Change,
}

/// <summary>What one order has told Inventory so far, and the units that leaves held. The order's messages travel on
/// separate queues and can arrive in any order — under load OrderExported often overtakes OrderAccepted — so every step
/// commutes with the others and a repeat changes nothing: held = accepted − cancelled per SKU, or nothing once ended.
/// (Applying each step as a delta to the held units, as before, left an accept arriving after the end held for ever.)</summary>
public sealed record ReservationLedger(IReadOnlyDictionary<string, int>? Accepted, IReadOnlyDictionary<string, int> Cancelled, bool Ended)
{
    public static readonly ReservationLedger Empty = new(null, new Dictionary<string, int>(), false);

    public ReservationLedger Apply(ReservationStep step, IEnumerable<(string Sku, int Quantity)> lines) => step switch
    {
        // The order's lines are the order's: an OrderAccepted published again (a retry after Shopify refused it) holds nothing more.
        ReservationStep.Accept => Accepted is null ? this with { Accepted = Sum(lines, new Dictionary<string, int>()) } : this,
        ReservationStep.Cancel => this with { Cancelled = Sum(lines, new Dictionary<string, int>(Cancelled)) },
        ReservationStep.End => this with { Ended = true },
        // A change is units given back (fewer) or taken (more, kept as negative units given back), so that every step still
        // commutes: a change arriving before the acceptance holds the right units once it comes.
        ReservationStep.Change => this with { Cancelled = Shift(lines, new Dictionary<string, int>(Cancelled)) },
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "unknown reservation step"),
    };

    /// <summary>Units held per SKU (only SKUs with units held).</summary>
    public IReadOnlyDictionary<string, int> Held() =>
        Ended || Accepted is null
            ? new Dictionary<string, int>()
            : Accepted.Keys.Union(Cancelled.Keys).Select(sku => (Sku: sku, Quantity: Accepted.GetValueOrDefault(sku) - Cancelled.GetValueOrDefault(sku)))
                .Where(a => a.Quantity > 0).ToDictionary(a => a.Sku, a => a.Quantity);

    private static Dictionary<string, int> Shift(IEnumerable<(string Sku, int Quantity)> changes, Dictionary<string, int> cancelled)
    {
        foreach (var (sku, change) in changes)
        {
            cancelled[sku] = cancelled.GetValueOrDefault(sku) - change;
        }

        return cancelled;
    }

    private static Dictionary<string, int> Sum(IEnumerable<(string Sku, int Quantity)> lines, Dictionary<string, int> into)
    {
        foreach (var (sku, quantity) in lines.Where(l => l.Quantity > 0))
        {
            into[sku] = into.GetValueOrDefault(sku) + quantity;
        }

        return into;
    }
}
