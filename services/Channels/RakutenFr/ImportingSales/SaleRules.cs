namespace Rakuten.Platform.Channels.RakutenFr.ImportingSales;

/// <summary>Whether to take a new Rakuten France item, and what a sale's items add up to. Pure.</summary>
public static class SaleRules
{
    public const string Accepted = "Accepted";
    public const string Refused = "Refused";

    /// <param name="quantity">The platform's quantity for the SKU on this connection (null: never told — no stock known).</param>
    /// <param name="pending">Units of this SKU already accepted whose reservation the quantity may not show yet.</param>
    public static (string Decision, string? Reason) Decide(bool acceptAll, string sku, int? quantity, int pending)
    {
        if (acceptAll)
        {
            return (Accepted, null);
        }

        if (sku.Length == 0)
        {
            return (Refused, "the item has no SKU: the platform cannot tell which product it is");
        }

        var available = (quantity ?? 0) - pending;
        return available >= 1
            ? (Accepted, null)
            : (Refused, quantity is null
                ? $"no stock known for SKU {sku} on Rakuten France"
                : $"no stock for SKU {sku}: quantity {quantity}, {pending} unit(s) already accepted");
    }

    /// <summary>A sale's state from its items' (REFUSED and CANCELLED items are gone; the rest decide).</summary>
    public static string Summary(IReadOnlyCollection<string> itemStatuses)
    {
        var live = itemStatuses.Where(s => s is not ("CANCELLED" or "REFUSED")).ToList();
        if (live.Count == 0) return "CANCELLED";
        // Received by the buyer (or closed) is shipped and more.
        static bool Shipped(string s) => s is "SHIPPED" or "RECEIVED" or "CLOSED";
        if (live.All(Shipped)) return "SHIPPED";
        if (live.Any(Shipped)) return "PARTIALLY_SHIPPED";
        return live.Count < itemStatuses.Count ? "PARTIALLY_CANCELLED" : "ACCEPTED";
    }
}

/// <summary>One unit sold on Rakuten France, as the platform decided and last saw it.</summary>
public sealed class SaleItem
{
    public required Guid ConnectionId { get; init; }

    public required long ItemId { get; init; }

    public required long PurchaseId { get; init; }

    public required string Sku { get; init; }

    /// <summary>Accepted or Refused: recorded before the call, so a crash repeats the same decision.</summary>
    public required string Decision { get; init; }

    public string? Reason { get; init; }

    /// <summary>Rakuten's item status as last seen (TO_CONFIRM, ACCEPTED, SHIPPED, CANCELLED, REFUSED…).</summary>
    public required string Status { get; set; }

    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>When the platform's stock reflected the unit (its order accepted, held or cancelled); pending until then.</summary>
    public DateTimeOffset? SettledAt { get; set; }
}

public sealed class ImportedSale
{
    public required Guid ConnectionId { get; init; }

    public required long PurchaseId { get; init; }

    public required DateTimeOffset ImportedAt { get; init; }
}

public sealed class KnownQuantity
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public int Quantity { get; set; }
}
