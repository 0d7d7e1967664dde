using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Rakuten.Platform.Channels.Common;

/// <summary>What a marketplace gave about an order beyond the fields an adapter maps (issue 22: nothing is dropped
/// silently): every leaf value of its payload whose field the mapping does not read, by its path in the payload
/// (<c>PackageModelList[0].ItemModelList[0].pointRate</c>, <c>items.item[1].isnewsale</c>). Empty values are left out;
/// the list is bounded so that a payload with a runaway list cannot swell the order.</summary>
public static class MarketplaceFields
{
    public const int MaxFields = 300;
    public const int MaxValueLength = 1_000;

    public static IReadOnlyDictionary<string, string> Unmapped(JsonObject payload, IReadOnlySet<string> mapped)
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(payload, "", mapped, found);
        return found;
    }

    public static IReadOnlyDictionary<string, string> Unmapped(XElement payload, IReadOnlySet<string> mapped)
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(payload, "", mapped, found);
        return found;
    }

    private static void Walk(JsonNode? node, string path, IReadOnlySet<string> mapped, SortedDictionary<string, string> found)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.Where(p => !mapped.Contains(p.Key)))
                {
                    Walk(value, path.Length == 0 ? key : $"{path}.{key}", mapped, found);
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    Walk(a[i], $"{path}[{i}]", mapped, found);
                }

                break;
            case JsonValue v:
                Add(found, path, v.ToString());
                break;
        }
    }

    private static void Walk(XElement element, string path, IReadOnlySet<string> mapped, SortedDictionary<string, string> found)
    {
        var children = element.Elements().ToList();
        if (children.Count == 0)
        {
            Add(found, path, element.Value);
            return;
        }

        foreach (var group in children.Where(c => !mapped.Contains(c.Name.LocalName)).GroupBy(c => c.Name.LocalName))
        {
            var many = group.Count() > 1;
            foreach (var (child, i) in group.Select((c, i) => (c, i)))
            {
                var name = many ? $"{group.Key}[{i}]" : group.Key;
                Walk(child, path.Length == 0 ? name : $"{path}.{name}", mapped, found);
            }
        }
    }

    private static void Add(SortedDictionary<string, string> found, string path, string value)
    {
        if (found.Count < MaxFields && path.Length > 0 && !string.IsNullOrWhiteSpace(value))
        {
            found[path] = value.Length > MaxValueLength ? value[..MaxValueLength] : value;
        }
    }
}
