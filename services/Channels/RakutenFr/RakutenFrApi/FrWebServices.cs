using System.Xml.Linq;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

/// <summary>Rakuten France said no: its error code and message (errorresponse), whatever the HTTP status.</summary>
public sealed class RakutenFrException(ChannelError error) : Exception($"Rakuten France: {error.Code}: {error.Message}")
{
    public ChannelError Error { get; } = error;

    public bool QuotaExceeded => Error.Code == "InvalidUserRights" && Error.Message.Contains("Quota", StringComparison.OrdinalIgnoreCase);
}

/// <summary>How every Rakuten France web service is called (reference/rakuten-fr.md §A.0–A.5): one URL per service
/// (<c>sales_ws</c>, <c>stock_ws</c>), the operation in <c>action</c>, credentials and a per-action <c>version</c> in the
/// query. Answers are ISO-8859-1 XML whose namespaces vary by action, so elements are read by local name; an
/// <c>errorresponse</c> may come with HTTP 200 and is looked for first (§A.5).</summary>
public static class FrWebServices
{
    public static string Url(string baseUrl, string service, RakutenFrCredentials c, string action, string version, string extra) =>
        $"{baseUrl.TrimEnd('/')}/{service}?action={action}&login={Uri.EscapeDataString(c.Login)}&pwd={Uri.EscapeDataString(c.Token)}&version={version}{extra}";

    /// <summary>The actions that only read: sent again after a failure. Every other action changes something (accept,
    /// refuse, cancel, tracking, a file) although it is a GET, so it is retried only when Rakuten said it did not run it.</summary>
    private static readonly HashSet<string> Reads = ["getnewsales", "getcurrentsales", "getiteminfos", "getshippinginformation", "export", "genericimportreport"];

    public static async Task<XDocument> GetAsync(IHttpClientFactory http, ConnectionRecord connection, string service, RakutenFrCredentials credentials,
        string action, string version, string extra, CancellationToken ct) =>
        await SendAsync(http, connection, new HttpRequestMessage(HttpMethod.Get, Url(connection.BaseUrl, service, credentials, action, version, extra)), action, ct);

    /// <summary>One call for a connection, through its resilience pipeline, named <c>{service}?action=</c> by the metrics.</summary>
    public static async Task<XDocument> SendAsync(IHttpClientFactory http, ConnectionRecord connection, HttpRequestMessage request, string action, CancellationToken ct)
    {
        using var client = http.CreateClient("rakuten-fr");
        using (request)
        {
            using var response = await client.SendAsync(request.For(connection.Id).Retryable(Reads.Contains(action)), ct);
            return await ReadAsync(response, ct);
        }
    }

    public static async Task<XDocument> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        XDocument document;
        try
        {
            document = await SafeXml.LoadAsync(await response.Content.ReadAsStreamAsync(ct), ct);
        }
        catch (System.Xml.XmlException ex)
        {
            throw new HttpRequestException($"Rakuten France answered HTTP {(int)response.StatusCode} with no readable XML: {ex.Message}", ex, response.StatusCode);
        }

        if (document.Root?.Name.LocalName == "errorresponse")
        {
            var detail = string.Join(" ", document.Descendants().Where(e => e.Name.LocalName == "detail").Select(d => d.Value.Trim()));
            throw new RakutenFrException(new ChannelError(Descendant(document, "code"), $"{Descendant(document, "message")} {detail}".Trim()));
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Rakuten France answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }

        return document;
    }

    public static string Child(XElement element, string name) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? "";

    public static XElement? Element(XElement element, string name) => element.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public static string Descendant(XDocument document, string name) =>
        document.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? "";
}
