using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Catalog.Pricing;

/// <summary>A connection's price rule as stored.</summary>
public sealed class PriceRuleRow
{
    public required Guid ConnectionId { get; init; }

    public required Guid TenantId { get; init; }

    public decimal MarkupPercent { get; set; }

    public decimal AddAmount { get; set; }

    public string? ConvertFrom { get; set; }

    public string? ConvertTo { get; set; }

    public decimal? ConvertRate { get; set; }

    public DateOnly? ConvertAsOf { get; set; }

    public decimal? RoundStep { get; set; }

    public string? RoundDirection { get; set; }

    public decimal? RoundEnding { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }

    public PriceRule ToRule() => new(MarkupPercent, AddAmount,
        ConvertFrom is null ? null : new CurrencyConversion(ConvertFrom, ConvertTo!, ConvertRate!.Value, ConvertAsOf!.Value),
        RoundStep is null && RoundEnding is null ? null : new PriceRounding(RoundStep, RoundDirection ?? "up", RoundEnding));

    public void Set(PriceRule rule, DateTimeOffset now, string by)
    {
        (MarkupPercent, AddAmount) = (rule.MarkupPercent, rule.AddAmount);
        (ConvertFrom, ConvertTo, ConvertRate, ConvertAsOf) = (rule.Convert?.From, rule.Convert?.To, rule.Convert?.Rate, rule.Convert?.AsOf);
        (RoundStep, RoundDirection, RoundEnding) = (rule.Rounding?.Step, rule.Rounding?.Direction, rule.Rounding?.Ending);
        (UpdatedAt, UpdatedBy) = (now, by);
    }
}

/// <summary>A fixed price of one SKU on one connection, in the channel's currency.</summary>
public sealed class FixedPriceRow
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public required Guid TenantId { get; init; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public decimal? CompareAt { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public FixedPrice ToFixed() => new(Sku, new Money(Amount, Currency), CompareAt is { } c ? new Money(c, Currency) : null);
}

public static class PriceBooks
{
    /// <summary>The price book of each connection, with the fixed prices of the given SKUs only (a list may hold a whole catalog).</summary>
    public static async Task<Dictionary<Guid, PriceBook>> ForAsync(CatalogDbContext db, IReadOnlyCollection<Guid> connectionIds, IReadOnlyCollection<string> skus,
        CancellationToken ct)
    {
        var rules = await db.PriceRules.AsNoTracking().Where(r => connectionIds.Contains(r.ConnectionId)).ToDictionaryAsync(r => r.ConnectionId, ct);
        var fixedPrices = (await db.FixedPrices.AsNoTracking().Where(f => connectionIds.Contains(f.ConnectionId) && skus.Contains(f.Sku)).ToListAsync(ct))
            .ToLookup(f => f.ConnectionId);
        return connectionIds.ToDictionary(id => id, id => rules.TryGetValue(id, out var rule) || fixedPrices.Contains(id)
            ? new PriceBook(rule?.ToRule(), fixedPrices[id].ToDictionary(f => f.Sku, f => f.ToFixed(), StringComparer.Ordinal))
            : PriceBook.Shopify);
    }
}
