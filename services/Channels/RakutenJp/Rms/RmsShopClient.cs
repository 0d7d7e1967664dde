using System.Net;
using System.Xml;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Rms;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>RMS ShopAPI <c>shop.shopMaster.get</c>: <c>GET /es/1.0/shop/shopMaster</c> answers XML
/// <c>&lt;shopBizApiResponse&gt;&lt;resultCode&gt;N000&lt;/resultCode&gt;…&lt;result&gt;&lt;shopMaster&gt;&lt;url&gt;</c> — the shop's
/// URL code (www.rakuten.co.jp/{url}/), which is how RMS itself names the shop the keys belong to (reference/rakuten-jp-rms.md A.6).</summary>
public sealed class RmsShopClient(RmsClient rms)
{
    public sealed record ShopMaster(HttpStatusCode Status, string? ResultCode, string? Url, string? ShopName);

    /// <summary>A connection check's read: what RMS answers now, not retried.</summary>
    public async Task<ShopMaster> GetAsync(Guid? connectionId, string baseUrl, RmsCredentials credentials, CancellationToken ct)
    {
        var response = await rms.SendAsync(new RmsCall(connectionId, HttpMethod.Get, "shop.shopMaster", null, Idempotent: true, Probe: true),
            $"{baseUrl.TrimEnd('/')}/es/1.0/shop/shopMaster", credentials, null, ct);
        if (!response.Ok)
        {
            return new ShopMaster(response.Status, null, null, null);
        }

        try
        {
            using var body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(response.Body));
            var document = await SafeXml.LoadAsync(body, ct);
            string? Local(string name) => document.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
            var master = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "shopMaster");
            string? Field(string name) => master?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
            return new ShopMaster(response.Status, Local("resultCode"), Field("url") is { Length: > 0 } url ? url : null, Field("shopName"));
        }
        catch (XmlException)
        {
            return new ShopMaster(response.Status, null, null, null);
        }
    }
}
