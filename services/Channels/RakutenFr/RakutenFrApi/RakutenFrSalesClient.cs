using System.Globalization;
using System.Xml.Linq;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;

namespace Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

/// <summary><c>sales_ws</c> (reference/rakuten-fr.md §A.2): new sales to accept or refuse item by item, the current
/// (accepted) sales page by page, one item's state, and cancelling an item. Every action is per item.</summary>
public sealed class RakutenFrSalesClient(IHttpClientFactory http)
{
    /// <summary>Sales with items awaiting acceptance (TO_CONFIRM).</summary>
    public async Task<IReadOnlyList<XElement>> NewSalesAsync(ConnectionRecord connection, RakutenFrCredentials credentials, CancellationToken ct) =>
        Sales(await GetAsync(connection, credentials, "getnewsales", "2017-08-07", "", ct));

    /// <summary>One page of current (accepted) sales and the token of the next page (empty on the last).</summary>
    public async Task<(IReadOnlyList<XElement> Sales, string NextToken)> CurrentSalesAsync(ConnectionRecord connection, RakutenFrCredentials credentials, string token, CancellationToken ct)
    {
        var document = await GetAsync(connection, credentials, "getcurrentsales", "2021-10-29", token.Length > 0 ? $"&nexttoken={Uri.EscapeDataString(token)}" : "", ct);
        return (Sales(document), FrWebServices.Descendant(document, "nexttoken"));
    }

    /// <summary>France's numeric ISO code is 249 for Rakuten (not 250, reference §A.2).</summary>
    public Task AcceptAsync(ConnectionRecord connection, RakutenFrCredentials credentials, long itemId, CancellationToken ct) =>
        GetAsync(connection, credentials, "acceptsale", "2021-04-08", $"&itemid={itemId}&shippingfromcountry=249", ct);

    public Task RefuseAsync(ConnectionRecord connection, RakutenFrCredentials credentials, long itemId, CancellationToken ct) =>
        GetAsync(connection, credentials, "refusesale", "2010-09-20", $"&itemid={itemId}", ct);

    /// <summary>The item's status (getiteminfos; note that it marks the item's messages read, §A.2).</summary>
    public async Task<string> ItemStatusAsync(ConnectionRecord connection, RakutenFrCredentials credentials, long itemId, CancellationToken ct) =>
        FrWebServices.Descendant(await GetAsync(connection, credentials, "getiteminfos", "2017-08-07", $"&itemid={itemId}", ct), "itemstatus");

    /// <summary>The sale's billing per item (getbillinginformation, §A.2): the only place Rakuten gives the shipping price
    /// the buyer paid per unit (<c>shippingsaleprice</c>).</summary>
    public async Task<XElement> BillingAsync(ConnectionRecord connection, RakutenFrCredentials credentials, long purchaseId, CancellationToken ct) =>
        (await GetAsync(connection, credentials, "getbillinginformation", "2016-03-16", $"&purchaseid={purchaseId}", ct)).Root!;

    /// <summary>Cancels one item; <paramref name="comment"/> is sent to the buyer (mandatory).</summary>
    public Task CancelItemAsync(ConnectionRecord connection, RakutenFrCredentials credentials, long itemId, string comment, CancellationToken ct) =>
        GetAsync(connection, credentials, "cancelitem", "2011-02-02", $"&itemid={itemId}&comment={Uri.EscapeDataString(comment)}", ct);

    /// <summary>Tracking for one unit: Rakuten's transporter name, the number and the URL (mandatory with <c>Autre</c>).</summary>
    public Task SetTrackingAsync(ConnectionRecord connection, RakutenFrCredentials credentials, long itemId, string transporter, string number, string url, CancellationToken ct) =>
        GetAsync(connection, credentials, "settrackingpackageinfos", "2016-03-16",
            $"&itemid={itemId}&transporter_name={Uri.EscapeDataString(transporter)}&tracking_number={Uri.EscapeDataString(number)}&tracking_url={Uri.EscapeDataString(url)}", ct);

    /// <summary>Untracked ("Normal") shipments in one file (importitemshippingstatus, POST multipart): only the purchase and
    /// item ids are required, the transporter is added when there is one.</summary>
    public async Task ImportShippingStatusAsync(ConnectionRecord connection, RakutenFrCredentials credentials, IReadOnlyList<(long PurchaseId, long ItemId, string? Transporter)> items, CancellationToken ct)
    {
        var document = new XDocument(new XDeclaration("1.0", "ISO-8859-1", null), new XElement("items", items.Select(i => new XElement("item",
            new XElement("purchaseid", i.PurchaseId), new XElement("itemid", i.ItemId), i.Transporter is null ? null : new XElement("transporter", i.Transporter)))));
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, System.Text.Encoding.Latin1))
        {
            document.Save(writer, SaveOptions.DisableFormatting);
        }

        using var content = new MultipartFormDataContent();
        var part = new ByteArrayContent(buffer.ToArray());
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/xml") { CharSet = "ISO-8859-1" };
        content.Add(part, "file", "shipping.xml");
        await FrWebServices.SendAsync(http, connection,
            new HttpRequestMessage(HttpMethod.Post, FrWebServices.Url(connection.BaseUrl, "sales_ws", credentials, "importitemshippingstatus", "2016-05-09", "")) { Content = content },
            "importitemshippingstatus", ct);
    }

    /// <summary>The label Rakuten issued for a prepaid-label delivery (its tracking number and URL), or null.</summary>
    public async Task<(string Number, string Url)?> PrepaidLabelAsync(ConnectionRecord connection, RakutenFrCredentials credentials, long purchaseId, CancellationToken ct)
    {
        var document = await GetAsync(connection, credentials, "getshippinginformation", "2017-09-12", $"&purchaseid={purchaseId}", ct);
        var label = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "prepaidlabel");
        return label is not null && FrWebServices.Child(label, "available") == "Y" && label.Descendants().FirstOrDefault(e => e.Name.LocalName == "trackinginformation") is { } tracking
            ? (FrWebServices.Child(tracking, "trackingnumber"), FrWebServices.Child(tracking, "trackingurl"))
            : null;
    }

    public static long Long(XElement element, string name) => long.Parse(FrWebServices.Child(element, name), CultureInfo.InvariantCulture);

    private static List<XElement> Sales(XDocument document) => document.Descendants().Where(e => e.Name.LocalName == "sale").ToList();

    private Task<XDocument> GetAsync(ConnectionRecord connection, RakutenFrCredentials credentials, string action, string version, string extra, CancellationToken ct) =>
        FrWebServices.GetAsync(http, connection, "sales_ws", credentials, action, version, extra, ct);
}
