using System.Globalization;
using System.Xml.Linq;
using Rakuten.Platform.Channels.RakutenFr.Connecting;

namespace Rakuten.Platform.Channels.RakutenFr.ImportingSales;

/// <summary><c>sales_ws</c> (reference/rakuten-fr.md §A.2): new sales to accept or refuse item by item, the current
/// (accepted) sales page by page, one item's state, and cancelling an item. Every action is per item.</summary>
public sealed class RakutenFrSalesClient(IHttpClientFactory http)
{
    /// <summary>Sales with items awaiting acceptance (TO_CONFIRM).</summary>
    public async Task<IReadOnlyList<XElement>> NewSalesAsync(string baseUrl, RakutenFrCredentials credentials, CancellationToken ct) =>
        Sales(await GetAsync(baseUrl, credentials, "getnewsales", "2017-08-07", "", ct));

    /// <summary>One page of current (accepted) sales and the token of the next page (empty on the last).</summary>
    public async Task<(IReadOnlyList<XElement> Sales, string NextToken)> CurrentSalesAsync(string baseUrl, RakutenFrCredentials credentials, string token, CancellationToken ct)
    {
        var document = await GetAsync(baseUrl, credentials, "getcurrentsales", "2021-10-29", token.Length > 0 ? $"&nexttoken={Uri.EscapeDataString(token)}" : "", ct);
        return (Sales(document), RakutenFrApi.Descendant(document, "nexttoken"));
    }

    /// <summary>France's numeric ISO code is 249 for Rakuten (not 250, reference §A.2).</summary>
    public Task AcceptAsync(string baseUrl, RakutenFrCredentials credentials, long itemId, CancellationToken ct) =>
        GetAsync(baseUrl, credentials, "acceptsale", "2021-04-08", $"&itemid={itemId}&shippingfromcountry=249", ct);

    public Task RefuseAsync(string baseUrl, RakutenFrCredentials credentials, long itemId, CancellationToken ct) =>
        GetAsync(baseUrl, credentials, "refusesale", "2010-09-20", $"&itemid={itemId}", ct);

    /// <summary>The item's status (getiteminfos; note that it marks the item's messages read, §A.2).</summary>
    public async Task<string> ItemStatusAsync(string baseUrl, RakutenFrCredentials credentials, long itemId, CancellationToken ct) =>
        RakutenFrApi.Descendant(await GetAsync(baseUrl, credentials, "getiteminfos", "2017-08-07", $"&itemid={itemId}", ct), "itemstatus");

    /// <summary>Cancels one item; <paramref name="comment"/> is sent to the buyer (mandatory).</summary>
    public Task CancelItemAsync(string baseUrl, RakutenFrCredentials credentials, long itemId, string comment, CancellationToken ct) =>
        GetAsync(baseUrl, credentials, "cancelitem", "2011-02-02", $"&itemid={itemId}&comment={Uri.EscapeDataString(comment)}", ct);

    public static long Long(XElement element, string name) => long.Parse(RakutenFrApi.Child(element, name), CultureInfo.InvariantCulture);

    private static List<XElement> Sales(XDocument document) => document.Descendants().Where(e => e.Name.LocalName == "sale").ToList();

    private Task<XDocument> GetAsync(string baseUrl, RakutenFrCredentials credentials, string action, string version, string extra, CancellationToken ct) =>
        RakutenFrApi.GetAsync(http, baseUrl, "sales_ws", credentials, action, version, extra, ct);
}
