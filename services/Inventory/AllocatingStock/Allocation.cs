namespace Rakuten.Platform.Inventory.AllocatingStock;

/// <summary>How one channel connection is fed: which locations count (null = all), a safety buffer, a cap on
/// the listed quantity, and "list 0 when fewer than N would be listed".</summary>
public sealed record AllocationRule(IReadOnlyList<string>? Locations, int Buffer, int? MaxQuantity, int? ZeroBelow)
{
    public static readonly AllocationRule Default = new(null, 0, null, null);

    /// <summary>What is wrong with the rule, by field; empty when it can be applied.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Buffer < 0) problems.Add("buffer must be 0 or more");
        if (MaxQuantity is < 0) problems.Add("maxQuantity must be 0 or more (or null for no cap)");
        if (ZeroBelow is < 0) problems.Add("zeroBelow must be 0 or more (or null)");
        if (Locations is { Count: 0 }) problems.Add("locations must name at least one location (or be null for all)");
        if (Locations?.Any(string.IsNullOrWhiteSpace) == true) problems.Add("locations must not contain empty ids");
        return problems;
    }
}

/// <summary>The channel quantity, as a pure function: Σ available at the mapped locations − reserved − buffer,
/// never below 0; 0 when under the "zero below" threshold; capped at the maximum listed quantity; and never above
/// what a Rakuten channel accepts (RMS and Rakuten France: 0–99,999).</summary>
public static class Allocation
{
    public const int ChannelMaximum = 99_999;

    public static int ChannelQuantity(IEnumerable<(string Location, int Available)> levels, int reserved, AllocationRule rule) =>
        Limit(Sellable(levels, reserved, rule), rule);

    /// <summary>Units at the rule's locations less what orders hold, never below 0.</summary>
    public static int Sellable(IEnumerable<(string Location, int Available)> levels, int reserved, AllocationRule rule) =>
        Math.Max(0, levels.Where(l => rule.Locations is null || rule.Locations.Contains(l.Location)).Sum(l => Math.Max(0, l.Available)) - reserved);

    /// <summary>The rule's buffer, "zero below" threshold and cap, and the channels' maximum, on a sellable quantity.</summary>
    public static int Limit(int sellable, AllocationRule rule)
    {
        var quantity = Math.Max(0, sellable - rule.Buffer);
        if (rule.ZeroBelow is { } threshold && quantity < threshold)
        {
            quantity = 0;
        }

        return Math.Min(quantity, Math.Min(rule.MaxQuantity ?? ChannelMaximum, ChannelMaximum));
    }
}
