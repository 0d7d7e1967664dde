using System.Collections.Concurrent;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

namespace Rakuten.Platform.Channels.RakutenFr.ProductPages;

/// <summary><c>stock_ws?action=producttypetemplate&amp;alias=…&amp;scope=VALUES</c> (version 2017-10-04, reference F.2): the
/// attributes of a product type, with their lists of values; kept an hour per connection and alias, since every product page
/// of a type asks for the same one. The answer's layout was not obtained: it is read as
/// <c>attributes/{product|advert|media}/attribute*{key, label, mandatory, values/value*}</c> (UNVERIFIED), by local name.</summary>
public sealed class ProductTypeTemplates(IHttpClientFactory http, TimeProvider clock)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<(Guid, string), (ProductTypeTemplate Template, DateTimeOffset At)> _known = new();

    /// <summary>The template, or null when Rakuten France does not know the alias (its ParameterError); other failures throw.</summary>
    public async Task<ProductTypeTemplate?> GetAsync(ConnectionRecord connection, RakutenFrCredentials credentials, string alias, CancellationToken ct)
    {
        if (_known.TryGetValue((connection.Id, alias), out var cached) && clock.GetUtcNow() - cached.At < Keep)
        {
            return cached.Template;
        }

        System.Xml.Linq.XDocument document;
        try
        {
            document = await FrWebServices.GetAsync(http, connection, "stock_ws", credentials, "producttypetemplate", "2017-10-04",
                $"&alias={Uri.EscapeDataString(alias)}&scope=VALUES", ct);
        }
        catch (RakutenFrException ex) when (ex.Error.Code == "ParameterError")
        {
            return null;
        }

        var sections = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "attributes")?.Elements() ?? [];
        var attributes = sections.SelectMany(section => section.Elements().Where(e => e.Name.LocalName == "attribute").Select(a => new TemplateAttribute(
            section.Name.LocalName,
            FrWebServices.Child(a, "key"),
            FrWebServices.Child(a, "label"),
            FrWebServices.Child(a, "mandatory") is "1" or "true",
            a.Elements().FirstOrDefault(e => e.Name.LocalName == "values") is { } values ? values.Elements().Select(v => v.Value.Trim()).ToList() : null)))
            .Where(a => a.Key.Length > 0).ToList();
        var template = new ProductTypeTemplate(alias, attributes);
        _known[(connection.Id, alias)] = (template, clock.GetUtcNow());
        return template;
    }
}
