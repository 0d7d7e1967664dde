using System.Xml;
using System.Xml.Linq;

namespace Rakuten.Platform.Channels.Common;

/// <summary>Reads a marketplace's XML answer with DTDs refused and no resolver: an answer (or whoever stands in its
/// place) cannot make the platform expand entities or fetch a file or URL named in it. A document over 50 million
/// characters is refused too. A DTD is an <see cref="XmlException"/>, as any unreadable answer.</summary>
public static class SafeXml
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = 50_000_000,
        IgnoreComments = true,
        Async = true,
    };

    public static async Task<XDocument> LoadAsync(Stream stream, CancellationToken ct)
    {
        using var reader = XmlReader.Create(stream, Settings);
        return await XDocument.LoadAsync(reader, LoadOptions.None, ct);
    }
}
