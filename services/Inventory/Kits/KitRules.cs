using Rakuten.Platform.Contracts.Inventory;
using Rakuten.Platform.Inventory.AllocatingStock;

namespace Rakuten.Platform.Inventory.Kits;

/// <summary>Kits, as pure functions: what a definition may be, how many kits a channel is told, and the components an
/// order's kit lines hold.</summary>
public static class KitRules
{
    public const int MaxComponents = 20;
    public const int MaxQuantity = 999;

    /// <summary>What is wrong with a definition, by field; empty when it can be used. A kit is not made of kits (a nested
    /// kit would be expanded twice), and a SKU that is a component cannot become a kit.</summary>
    public static Dictionary<string, string[]> Validate(string kitSku, IReadOnlyList<KitComponent>? components, IReadOnlySet<string> otherKits,
        IReadOnlySet<string> componentsOfOtherKits)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(kitSku) || kitSku.Length > 100) errors["sku"] = ["must be 1 to 100 characters"];
        if (componentsOfOtherKits.Contains(kitSku)) errors["sku"] = [$"{kitSku} is a component of another kit: kits are not made of kits"];
        if (components is null || components.Count == 0 || components.Count > MaxComponents)
        {
            errors["components"] = [$"give 1 to {MaxComponents} components, each {{sku, quantity}}"];
            return errors;
        }

        for (var i = 0; i < components.Count; i++)
        {
            var c = components[i];
            if (string.IsNullOrWhiteSpace(c.Sku) || c.Sku.Length > 100) errors[$"components[{i}].sku"] = ["must be 1 to 100 characters"];
            else if (c.Sku == kitSku) errors[$"components[{i}].sku"] = ["is the kit itself"];
            else if (otherKits.Contains(c.Sku)) errors[$"components[{i}].sku"] = [$"{c.Sku} is a kit: kits are not made of kits (give its components)"];
            if (c.Quantity is < 1 or > MaxQuantity) errors[$"components[{i}].quantity"] = [$"must be 1 to {MaxQuantity} (units of it in one kit)"];
        }

        if (components.GroupBy(c => c.Sku).FirstOrDefault(g => g.Count() > 1) is { } twice)
            errors["components"] = [$"{twice.Key} is named twice: give it once with the total quantity"];
        return errors;
    }

    /// <summary>The kit's channel quantity: how many whole kits the components allow (each component's units at the
    /// connection's locations, less what orders hold), then the connection's buffer, threshold and cap on the kits.</summary>
    public static int ChannelQuantity(IEnumerable<(IEnumerable<(string Location, int Available)> Levels, int Reserved, int PerKit)> components, AllocationRule rule)
    {
        var kits = components.Select(c => Allocation.Sellable(c.Levels, c.Reserved, rule) / c.PerKit).DefaultIfEmpty(0).Min();
        return Allocation.Limit(kits, rule);
    }

    /// <summary>An order's lines with each kit line replaced by its components (units × quantity per kit), summed per SKU.</summary>
    public static IReadOnlyList<(string Sku, int Quantity)> Expand(IEnumerable<(string Sku, int Quantity)> lines, IReadOnlyDictionary<string, IReadOnlyList<KitComponent>> kits) =>
        lines.SelectMany(l => kits.TryGetValue(l.Sku, out var components)
                ? components.Select(c => (c.Sku, c.Quantity * l.Quantity))
                : [(l.Sku, l.Quantity)])
            .GroupBy(l => l.Sku).Select(g => (g.Key, g.Sum(l => l.Item2))).ToList();
}
