using System.Collections;
using System.Reflection;

namespace Rakuten.Platform.Contracts.Tests;

/// <summary>Builds a deterministic instance of any contract record — every property filled, every list with
/// one element — so that its serialized JSON shows the whole shape: names, nesting and JSON types.</summary>
public static class SampleValues
{
    public static object Create(Type type, string name = "value")
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string)) return name;
        if (underlying == typeof(Guid)) return new Guid("00000000-0000-0000-0000-000000000001");
        if (underlying == typeof(DateTimeOffset)) return new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        if (underlying == typeof(int)) return 1;
        if (underlying == typeof(long)) return 2L;
        if (underlying == typeof(decimal)) return 1.5m;
        if (underlying == typeof(bool)) return true;
        if (underlying.IsEnum) return Enum.GetValues(underlying).GetValue(0)!;
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() is var generic && (generic == typeof(IReadOnlyDictionary<,>) || generic == typeof(Dictionary<,>)))
        {
            var arguments = underlying.GetGenericArguments();
            var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(arguments))!;
            map.Add(Create(arguments[0], name), Create(arguments[1], name));
            return map;
        }

        if (underlying.IsGenericType && typeof(IEnumerable).IsAssignableFrom(underlying))
        {
            var element = underlying.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Create(element, name));
            return list;
        }

        var constructor = underlying.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"{underlying} has no public constructor to build a sample from.");
        return constructor.Invoke(constructor.GetParameters().Select(p => Create(p.ParameterType, p.Name!)).ToArray());
    }
}
