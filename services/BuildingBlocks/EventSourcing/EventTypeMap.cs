using System.Collections.Concurrent;
using System.Reflection;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>Stored-event names ↔ CLR types, from every <c>[StoredEvent]</c> record of the registered assemblies.</summary>
public sealed class EventTypeMap
{
    private readonly ConcurrentDictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, string> _byType = new();

    public void Register(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (type.GetCustomAttribute<StoredEventAttribute>() is { } attribute)
            {
                Register(type, attribute.Name);
            }
        }
    }

    public void Register(Type type, string name)
    {
        var existing = _byName.GetOrAdd(name, type);
        if (existing != type)
        {
            throw new InvalidOperationException($"Stored event name '{name}' is used by both {existing.FullName} and {type.FullName}.");
        }

        _byType[type] = name;
    }

    public IEnumerable<(Type Type, string Name)> All => _byType.Select(p => (p.Key, p.Value));

    public string NameOf(Type type) =>
        _byType.TryGetValue(type, out var name)
            ? name
            : throw new InvalidOperationException($"{type.FullName} is not a registered stored event: give it [StoredEvent(\"…\")].");

    public Type TypeOf(string name) =>
        _byName.TryGetValue(name, out var type)
            ? type
            : throw new InvalidOperationException($"No stored event type is registered under '{name}'.");
}
