using System.Collections.Frozen;
using System.Reflection;
using MassTransit;

namespace Rakuten.Platform.BuildingBlocks.Messaging;

/// <summary>Maps each message contract to its stable URN and back. The outbox stores the URN, never a CLR
/// type name, so a renamed or moved record keeps its wire identity.</summary>
public sealed class ContractTypes
{
    private readonly FrozenDictionary<string, Type> _byUrn;
    private readonly FrozenDictionary<Type, string> _byType;

    public ContractTypes(IEnumerable<Assembly> assemblies)
    {
        var pairs = assemblies
            .Distinct()
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<MessageUrnAttribute>()))
            .Where(p => p.Attribute is not null)
            .Select(p => (p.Type, Urn: p.Attribute!.Urn.ToString()))
            .ToList();

        var clash = pairs.GroupBy(p => p.Urn).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new InvalidOperationException(
                $"Message URN '{clash.Key}' is used by {string.Join(", ", clash.Select(p => p.Type.FullName))}.");
        }

        _byUrn = pairs.ToFrozenDictionary(p => p.Urn, p => p.Type);
        _byType = pairs.ToFrozenDictionary(p => p.Type, p => p.Urn);
    }

    public IEnumerable<Type> All => _byType.Keys;

    public string UrnOf(Type type) =>
        _byType.TryGetValue(type, out var urn)
            ? urn
            : throw new InvalidOperationException(
                $"{type.FullName} is not a registered message contract: give it [MessageUrn] and register its assembly.");

    public Type TypeOf(string urn) =>
        _byUrn.TryGetValue(urn, out var type)
            ? type
            : throw new InvalidOperationException($"No message contract is registered for '{urn}'.");
}
