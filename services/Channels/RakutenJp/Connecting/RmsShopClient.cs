using System.Net;
using System.Xml;
using Rakuten.Platform.BuildingBlocks.Connections;

namespace Rakuten.Platform.Channels.RakutenJp.Connecting;

/// <summary>RMS ShopAPI <c>shop.shopMaster.get</c>: <c>GET /es/1.0/shop/shopMaster</c> answers XML
/// <c>&lt;shopBizApiResponse&gt;&lt;resultCode&gt;N000&lt;/resultCode&gt;…&lt;result&gt;&lt;shopMaster&gt;&lt;url&gt;</c> — the shop's
/// URL code (www.rakuten.co.jp/{url}/), which is how RMS itself names the shop the keys belong to (reference/rakuten-jp-rms.md A.6).</summary>
public sealed class RmsShopClient(IHttpClientFactory http)
{
    public sealed record ShopMaster(HttpStatusCode Status, string? ResultCode, string? Url, string? ShopName);

    public async Task<ShopMaster> GetAsync(string baseUrl, RmsCredentials credentials, CancellationToken ct)
    {
        using var client = http.CreateClient("rms");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl.TrimEnd('/')}/es/1.0/shop/shopMaster");
        request.Headers.Authorization = credentials.Esa();
        using var response = await client.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return new ShopMaster(response.StatusCode, null, null, null);
        }

        try
        {
            var document = await SafeXml.LoadAsync(await response.Content.ReadAsStreamAsync(ct), ct);
            string? Local(string name) => document.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
            var master = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "shopMaster");
            string? Field(string name) => master?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
            return new ShopMaster(response.StatusCode, Local("resultCode"), Field("url") is { Length: > 0 } url ? url : null, Field("shopName"));
        }
        catch (XmlException)
        {
            return new ShopMaster(response.StatusCode, null, null, null);
        }
    }
}
