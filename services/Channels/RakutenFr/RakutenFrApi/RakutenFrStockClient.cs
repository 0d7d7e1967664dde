using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

/// <summary>An offer as the export lists it; <c>Title</c> and <c>Barcode</c> are the catalogue product's (productsummary).</summary>
public sealed record FrOffer(string Sku, long AdvertId, decimal Price, int Stock, string? Title = null, string? Barcode = null);

public sealed record FrImportLine(string Sku, bool Ok, IReadOnlyList<string> Errors);

/// <summary>A stock import as Rakuten reports it: done when its status says the file was processed.</summary>
public sealed record FrImportReport(string Status, IReadOnlyList<FrImportLine> Lines)
{
    // genericimportreport statuses (reference/rakuten-fr.md §A.3): Reçu, En attente and Import en cours mean "not yet".
    public bool Finished => Status is "Traité" or "Annulé" or "Aucune ligne n'a été chargée";
}

/// <summary><c>stock_ws</c> (reference/rakuten-fr.md §A.3): the offer export, matched on SKU (the seller reference,
/// never Rakuten's ids), and the XML stock import file with its report.</summary>
public sealed class RakutenFrStockClient(IHttpClientFactory http)
{
    public async Task<IReadOnlyList<FrOffer>> ExportAsync(ConnectionRecord connection, RakutenFrCredentials credentials, CancellationToken ct)
    {
        var offers = new List<FrOffer>();
        var token = "";
        do
        {
            var document = await GetAsync(connection, credentials, "export", "2018-06-29", token.Length > 0 ? $"&nexttoken={Uri.EscapeDataString(token)}" : "", ct);
            foreach (var advert in document.Descendants().Where(e => e.Name.LocalName == "advert"))
            {
                offers.Add(new FrOffer(
                    FrWebServices.Child(advert, "sku"),
                    long.Parse(FrWebServices.Child(advert, "advertid"), CultureInfo.InvariantCulture),
                    decimal.TryParse(advert.Elements().FirstOrDefault(e => e.Name.LocalName == "price") is { } price ? FrWebServices.Child(price, "amount") : "", NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? p : 0,
                    int.TryParse(FrWebServices.Child(advert, "stock"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0,
                    advert.Elements().FirstOrDefault(e => e.Name.LocalName == "productsummary") is { } summary ? FrWebServices.Child(summary, "headline") : null,
                    advert.Elements().FirstOrDefault(e => e.Name.LocalName == "productsummary") is { } product && FrWebServices.Child(product, "barcode") is { Length: > 0 } ean ? ean : null));
            }

            token = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "nexttoken")?.Value.Trim() ?? "";
        }
        while (token.Length > 0);

        return offers;
    }

    /// <summary>Sends one stock file (POST multipart, field <c>file</c>) and returns Rakuten's import id.</summary>
    public async Task<long> ImportAsync(ConnectionRecord connection, RakutenFrCredentials credentials, byte[] file, CancellationToken ct)
    {
        using var content = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/xml") { CharSet = "ISO-8859-1" };
        content.Add(part, "file", "offers.xml");
        var document = await FrWebServices.SendAsync(http, connection,
            new HttpRequestMessage(HttpMethod.Post, FrWebServices.Url(connection.BaseUrl, "stock_ws", credentials, "genericimportfile", "2015-02-02", "")) { Content = content },
            "genericimportfile", ct);
        return long.Parse(FrWebServices.Descendant(document, "importid"), CultureInfo.InvariantCulture);
    }

    public async Task<FrImportReport> ReportAsync(ConnectionRecord connection, RakutenFrCredentials credentials, long importId, CancellationToken ct)
    {
        var lines = new List<FrImportLine>();
        var status = "";
        var token = "";
        do
        {
            var extra = $"&fileid={importId}" + (token.Length > 0 ? $"&nexttoken={Uri.EscapeDataString(token)}" : "");
            var document = await GetAsync(connection, credentials, "genericimportreport", "2017-02-10", extra, ct);
            status = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "file") is { } file ? FrWebServices.Child(file, "status") : status;
            lines.AddRange(document.Descendants().Where(e => e.Name.LocalName == "product").Select(p => new FrImportLine(
                FrWebServices.Child(p, "sku"), FrWebServices.Child(p, "status") == "OK",
                p.Descendants().Where(e => e.Name.LocalName == "error").Select(e => e.Value.Trim()).ToList())));
            token = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "nexttoken")?.Value.Trim() ?? "";
        }
        while (token.Length > 0);

        return new FrImportReport(status, lines);
    }

    private Task<XDocument> GetAsync(ConnectionRecord connection, RakutenFrCredentials credentials, string action, string version, string extra, CancellationToken ct) =>
        FrWebServices.GetAsync(http, connection, "stock_ws", credentials, action, version, extra, ct);
}

/// <summary>The stock import file (genericimportfile XML): one item per offer, keyed by <c>sellerReference</c>,
/// carrying only what changed. Sent as ISO-8859-1 without a byte-order mark (Rakuten refuses a UTF-8 BOM).</summary>
public static class OfferFile
{
    /// <param name="Ean">Set when the line creates the advert (no offer has this SKU yet) on the catalogue product with this
    /// EAN-13 (reference F.2: the product is matched on <c>codebarres</c>; a creation needs sellingPrice, qty and state).</param>
    /// <param name="Page">Set when the line also creates the product page (reference F.2, rule 3): its alias and product block.</param>
    public sealed record Line(string Sku, decimal? Price, int? Stock, string? Ean = null, ProductPages.ProductPageDraft? Page = null)
    {
        /// <summary>The line creates the advert (the SKU has no offer yet): it carries qty and state.</summary>
        public bool Creates => Ean is not null || Page is not null;
    }

    /// <summary>The advert state of a creation: new. The code is the PriceMinister-era "N" (UNVERIFIED: the reference names the
    /// key, not its values).</summary>
    public const string NewCondition = "N";

    public static byte[] Build(IEnumerable<Line> lines)
    {
        static XElement Attribute(string key, string value) => new("attribute", new XElement("key", key), new XElement("value", new XCData(value)));
        var document = new XDocument(new XDeclaration("1.0", "ISO-8859-1", null), new XElement("items",
            lines.Select(l => new XElement("item",
                l.Page is { } page ? new XElement("alias", page.Alias) : null,
                new XElement("attributes",
                Product(l) is { Count: > 0 } product ? new XElement("product", product.Select(a => Attribute(a.Key, a.Value))) : null,
                new XElement("advert",
                new object?[]
                {
                    Attribute("sellerReference", l.Sku),
                    l.Price is { } price ? Attribute("sellingPrice", price.ToString("0.00", CultureInfo.InvariantCulture)) : null,
                    l.Stock is { } stock ? Attribute("stock", stock.ToString(CultureInfo.InvariantCulture)) : null,
                    l.Creates ? Attribute("qty", (l.Stock ?? 0).ToString(CultureInfo.InvariantCulture)) : null,
                    l.Creates ? Attribute("state", NewCondition) : null,
                }),
                l.Page?.ImageUrl is { } image ? new XElement("media", Attribute("image_url", image)) : null)))));
        // The product block: the page's attributes, and the EAN first so that Rakuten France uses its catalogue product when it has one.
        static List<KeyValuePair<string, string>> Product(Line l) =>
            (l.Ean is { } ean && l.Page?.Attributes.Any(a => a.Key == "codebarres") != true ? [new("codebarres", ean)] : new List<KeyValuePair<string, string>>())
            .Concat(l.Page?.Attributes ?? []).ToList();

        var latin1 = Encoding.Latin1;
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, latin1))
        {
            document.Save(writer, SaveOptions.DisableFormatting);
        }

        return buffer.ToArray();
    }
}
