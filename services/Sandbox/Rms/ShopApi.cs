using System.Security;
using System.Text;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary><c>GET /es/1.0/shop/shopMaster</c> (ShopAPI <c>shop.shopMaster.get</c>, reference/rakuten-jp-rms.md A.6): XML
/// <c>shopBizApiResponse</c> with <c>resultCode</c> N000 and the shop's master data, whose <c>url</c> is the shop's URL code.
/// No numeric shop id is in it (the shop id shows only in order numbers).</summary>
public static class ShopApi
{
    public static void Map(RouteGroupBuilder rms, SandboxState state)
    {
        const string path = "/es/1.0/shop/shopMaster";
        rms.MapGet(path, (HttpContext http, CancellationToken _) =>
            new ApiCall(RmsGateway.Api, "shop.shopMaster.get").RunAsync(http, state, RmsGateway.Authenticate(state, orderApi: false),
                RmsGateway.GatewayError(false, "shop"), null, (shop, _) => Results.Text(Xml(state.RmsShops[shop]), "application/xml; charset=UTF-8", Encoding.UTF8),
                readsBody: false));
        rms.MapMethods(path, ["POST", "PUT", "PATCH", "DELETE"], () => Results.StatusCode(405));
    }

    private static string Xml(RmsShop shop)
    {
        string E(string value) => SecurityElement.Escape(value);
        return $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <shopbiz:shopBizApiResponse xmlns:shopbiz="http://rakuten.co.jp/rms/mall/shop/biz/api/model/resource"><resultCode>N000</resultCode><resultMessageList><resultMessage><code>N000</code><message>成功</message></resultMessage></resultMessageList><result><shopMaster><shopName>{E(shop.ShopName)}</shopName><url>{E(shop.Url)}</url><companyName>{E(shop.ShopName)}株式会社</companyName><addressZip>158-0094</addressZip><addressPrefecture>東京都</addressPrefecture><addressCity>世田谷区</addressCity><addressStreet>玉川1-14-1</addressStreet></shopMaster></result></shopbiz:shopBizApiResponse>
            """;
    }
}
