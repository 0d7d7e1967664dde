using System.Net.Http.Json;
using System.Text;
using System.Xml.Linq;
using FluentAssertions;

namespace Rakuten.Platform.Sandbox.Tests;

public sealed class RakutenFrTests
{
    private const string Login = "maboutique";
    private const string Token = "tok-123";

    private static async Task<SandboxHost> StartAsync()
    {
        var sandbox = await SandboxHost.StartAsync();
        (await sandbox.Client.PostAsJsonAsync("/control/rakuten-fr/sellers", new { login = Login, token = Token })).EnsureSuccessStatusCode();
        (await sandbox.Client.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Login}/offers", new { sku = "TS-M", headline = "T-shirt été", price = 19.9, stock = 5 })).EnsureSuccessStatusCode();
        return sandbox;
    }

    private static object Billing => new
    {
        civility = "Mme", lastName = "Lefèvre", firstName = "Hélène", address1 = "12 rue de la Paix", zipCode = "75002", city = "Paris",
        country = "France", countryAlpha2 = "FX", phone = "0601020304",
    };

    private static async Task<(long PurchaseId, long[] ItemIds)> PlaceSaleAsync(SandboxHost sandbox, int quantity = 2, string? prepaid = null)
    {
        var response = await sandbox.Client.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Login}/sales", new
        {
            lines = new[] { new { sku = "TS-M", quantity } },
            billingAddress = Billing,
            relayPoint = new { id = "FR-084735", name = "Relais Opéra", address = "3 rue Auber", zipCode = "75009", city = "Paris", country = "France" },
            shippingType = "Point relais Mondial Relay",
            shippingPrice = 4.5,
            prepaidTrackingNumber = prepaid,
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
        return (body!["purchaseId"]!.GetValue<long>(), body["itemIds"]!.AsArray().Select(i => i!.GetValue<long>()).ToArray());
    }

    private static async Task<(int Status, XElement Root, string ContentType, byte[] Raw)> CallAsync(
        SandboxHost sandbox, string service, string action, string version, string extra = "", string login = Login, string token = Token)
    {
        var response = await sandbox.Client.GetAsync($"/rakuten-fr/{service}?action={action}&login={Uri.EscapeDataString(login)}&pwd={token}&version={version}{extra}");
        var raw = await response.Content.ReadAsByteArrayAsync();
        return ((int)response.StatusCode, XDocument.Load(new MemoryStream(raw)).Root!, response.Content.Headers.ContentType!.ToString(), raw);
    }

    private static string Local(XElement root, string name) => root.Descendants().First(e => e.Name.LocalName == name).Value;

    [Fact]
    public async Task Answers_are_ISO_8859_1_XML_that_parses_by_local_name()
    {
        await using var sandbox = await StartAsync();
        await PlaceSaleAsync(sandbox);

        var (status, root, contentType, raw) = await CallAsync(sandbox, "sales_ws", "getnewsales", "2017-08-07");

        status.Should().Be(200);
        contentType.Should().Contain("ISO-8859-1");
        Encoding.ASCII.GetString(raw, 0, 60).Should().Contain("encoding=\"ISO-8859-1\"");
        raw.Should().ContainInOrder(Encoding.Latin1.GetBytes("été"), "accented text is one byte per character in ISO-8859-1");
        root.Name.LocalName.Should().Be("getnewsalesresult");
        root.Name.NamespaceName.Should().NotBeEmpty();
        root.Descendants().Where(e => e.Name.LocalName == "item").Should().HaveCount(2, "one <item> per unit sold");
        Local(root, "itemstatus").Should().Be("TO_CONFIRM");
        Local(root, "purchasedate").Should().MatchRegex(@"^\d{2}/\d{2}/\d{4}-\d{2}:\d{2}$");
        root.Descendants().Should().Contain(e => e.Name.LocalName == "collectionpointaddress");
    }

    [Theory]
    [InlineData("login", "The parameter login is mandatory")]
    [InlineData("version", "The parameter version is mandatory")]
    public async Task Missing_parameters_get_a_ParameterError(string missing, string detail)
    {
        await using var sandbox = await StartAsync();
        var query = new Dictionary<string, string> { ["action"] = "getnewsales", ["login"] = Login, ["pwd"] = Token, ["version"] = "2017-08-07" };
        query.Remove(missing);

        var response = await sandbox.Client.GetAsync("/rakuten-fr/sales_ws?" + string.Join('&', query.Select(kv => $"{kv.Key}={kv.Value}")));
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        root.Name.LocalName.Should().Be("errorresponse");
        Local(root, "code").Should().Be("ParameterError");
        Local(root, "detail").Should().Be(detail);
    }

    [Fact]
    public async Task An_email_as_login_or_a_wrong_token_is_an_InvalidUserConnection()
    {
        await using var sandbox = await StartAsync();

        var email = await CallAsync(sandbox, "sales_ws", "getnewsales", "2017-08-07", login: "owner@example.fr");
        var token = await CallAsync(sandbox, "sales_ws", "getnewsales", "2017-08-07", token: "wrong");

        Local(email.Root, "code").Should().Be("InvalidUserConnection");
        Local(token.Root, "code").Should().Be("InvalidUserConnection");
        email.Root.Descendants().First(e => e.Name.LocalName == "type").Value.Should().Be("Sender");
    }

    [Fact]
    public async Task Accept_takes_numeric_country_codes_and_moves_the_item_to_the_current_sales()
    {
        await using var sandbox = await StartAsync();
        var (_, items) = await PlaceSaleAsync(sandbox);

        var france250 = await CallAsync(sandbox, "sales_ws", "acceptsale", "2021-04-08", $"&itemid={items[0]}&shippingfromcountry=250");
        var alpha = await CallAsync(sandbox, "sales_ws", "acceptsale", "2021-04-08", $"&itemid={items[0]}&shippingfromcountry=FR");
        var accepted = await CallAsync(sandbox, "sales_ws", "acceptsale", "2021-04-08", $"&itemid={items[0]}&shippingfromcountry=249&importcountry=249");
        var refused = await CallAsync(sandbox, "sales_ws", "refusesale", "2010-09-20", $"&itemid={items[1]}");
        var current = await CallAsync(sandbox, "sales_ws", "getcurrentsales", "2017-08-07");

        Local(france250.Root, "code").Should().Be("ParameterError");
        Local(alpha.Root, "code").Should().Be("ParameterError");
        accepted.Root.Name.LocalName.Should().Be("saleacceptanceresult");
        Local(accepted.Root, "status").Should().Be("Accepted");
        Local(refused.Root, "status").Should().Be("Refused");
        current.Root.Descendants().Where(e => e.Name.LocalName == "itemid").Select(e => long.Parse(e.Value)).Should().Equal(items[0]);
    }

    [Fact]
    public async Task Current_sales_page_with_nexttoken_until_it_is_empty()
    {
        await using var sandbox = await StartAsync();
        (await sandbox.Client.PutAsJsonAsync("/control/rakuten-fr/settings", new { pageSize = 2 })).EnsureSuccessStatusCode();
        for (var i = 0; i < 5; i++)
        {
            var (_, items) = await PlaceSaleAsync(sandbox, quantity: 1);
            await CallAsync(sandbox, "sales_ws", "acceptsale", "2021-04-08", $"&itemid={items[0]}");
        }

        var purchases = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await CallAsync(sandbox, "sales_ws", "getcurrentsales", "2021-10-29", token.Length > 0 ? $"&nexttoken={Uri.EscapeDataString(token)}" : "");
            purchases.AddRange(page.Root.Descendants().Where(e => e.Name.LocalName == "purchaseid").Select(e => e.Value));
            token = Local(page.Root, "nexttoken");
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        pages.Should().Be(3);
        purchases.Should().HaveCount(5).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Tracking_needs_a_known_transporter_and_a_URL_for_Autre_and_answers_setshippingpackageinfosresult()
    {
        await using var sandbox = await StartAsync();
        var (_, items) = await PlaceSaleAsync(sandbox, quantity: 1);
        await CallAsync(sandbox, "sales_ws", "acceptsale", "2021-04-08", $"&itemid={items[0]}");

        var unknown = await CallAsync(sandbox, "sales_ws", "settrackingpackageinfos", "2016-03-16", $"&itemid={items[0]}&transporter_name=Pigeon&tracking_number=1");
        var autreNoUrl = await CallAsync(sandbox, "sales_ws", "settrackingpackageinfos", "2016-03-16", $"&itemid={items[0]}&transporter_name=Autre&tracking_number=1");
        var ok = await CallAsync(sandbox, "sales_ws", "settrackingpackageinfos", "2016-03-16",
            $"&itemid={items[0]}&transporter_name=UPS&tracking_number=1Z999&tracking_url={Uri.EscapeDataString("https://www.ups.com/track?loc=fr_FR&tracknum=1Z999")}");

        Local(unknown.Root, "detail").Should().Contain("transporter_name");
        Local(autreNoUrl.Root, "detail").Should().Contain("tracking_url");
        ok.Root.Name.LocalName.Should().Be("setshippingpackageinfosresult");
        Local(ok.Root, "status").Should().Be("OK");
        Local(ok.Root, "transporterName").Should().Be("UPS");
    }

    [Fact]
    public async Task A_prepaid_label_sale_keeps_the_tracking_number_Rakuten_issued()
    {
        await using var sandbox = await StartAsync();
        var (purchase, items) = await PlaceSaleAsync(sandbox, quantity: 1, prepaid: "6A12345678901");
        await CallAsync(sandbox, "sales_ws", "acceptsale", "2021-04-08", $"&itemid={items[0]}");

        var info = await CallAsync(sandbox, "sales_ws", "getshippinginformation", "2017-09-12", $"&purchaseid={purchase}");
        var other = await CallAsync(sandbox, "sales_ws", "settrackingpackageinfos", "2016-03-16", $"&itemid={items[0]}&transporter_name=Colissimo&tracking_number=OTHER");

        Local(info.Root, "trackingnumber").Should().Be("6A12345678901");
        Local(other.Root, "code").Should().Be("ParameterError");
    }

    [Fact]
    public async Task Cancelling_an_item_needs_a_comment()
    {
        await using var sandbox = await StartAsync();
        var (_, items) = await PlaceSaleAsync(sandbox, quantity: 1);
        await CallAsync(sandbox, "sales_ws", "acceptsale", "2021-04-08", $"&itemid={items[0]}");

        var noComment = await CallAsync(sandbox, "sales_ws", "cancelitem", "2011-02-02", $"&itemid={items[0]}");
        var cancelled = await CallAsync(sandbox, "sales_ws", "cancelitem", "2011-02-02", $"&itemid={items[0]}&comment=Rupture");

        Local(noComment.Root, "detail").Should().Be("The parameter comment is mandatory");
        Local(cancelled.Root, "status").Should().Be("CANCELLED");
    }

    [Fact]
    public async Task Stock_files_update_offers_by_SKU_report_failures_per_SKU_and_stop_at_10_an_hour()
    {
        await using var sandbox = await StartAsync();
        var xml = """
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <items>
              <item><attributes><advert>
                <attribute><key>sellerReference</key><value><![CDATA[TS-M]]></value></attribute>
                <attribute><key>sellingPrice</key><value>17.5</value></attribute>
                <attribute><key>stock</key><value>9</value></attribute>
              </advert></attributes></item>
              <item><attributes><advert>
                <attribute><key>sellerReference</key><value><![CDATA[NOPE]]></value></attribute>
                <attribute><key>stock</key><value>1</value></attribute>
              </advert></attributes></item>
            </items>
            """;

        async Task<XElement> Upload()
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.Latin1.GetBytes(xml)), "file", "stock.xml" } };
            var response = await sandbox.Client.PostAsync($"/rakuten-fr/stock_ws?action=genericimportfile&login={Login}&pwd={Token}&version=2015-02-02", form);
            return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        }

        var first = await Upload();
        var report = await CallAsync(sandbox, "stock_ws", "genericimportreport", "2017-02-10", $"&fileid={Local(first, "importid")}");
        var export = await CallAsync(sandbox, "stock_ws", "export", "2018-06-29");
        for (var i = 1; i < 10; i++)
        {
            Local(await Upload(), "status").Should().Be("OK");
        }

        var eleventh = await Upload();

        Local(first, "status").Should().Be("OK");
        var products = report.Root.Descendants().Where(e => e.Name.LocalName == "product")
            .ToDictionary(p => p.Elements().First(e => e.Name.LocalName == "sku").Value, p => p);
        products["TS-M"].Elements().First(e => e.Name.LocalName == "status").Value.Should().Be("OK");
        products["NOPE"].Elements().First(e => e.Name.LocalName == "status").Value.Should().Be("KO");
        products["NOPE"].Value.Should().Contain("NOPE");
        Local(export.Root, "stock").Should().Be("9");
        Local(export.Root, "amount").Should().Be("17.5");
        Local(eleventh, "code").Should().Be("InvalidUserRights");
        Local(eleventh, "message").Should().Be("Quota exceeded.");
    }

    [Fact]
    public async Task The_hourly_request_quota_answers_Quota_exceeded()
    {
        await using var sandbox = await StartAsync();
        (await sandbox.Client.PutAsJsonAsync("/control/rakuten-fr/settings", new { requestsPerHour = 3 })).EnsureSuccessStatusCode();

        for (var i = 0; i < 3; i++)
        {
            (await CallAsync(sandbox, "sales_ws", "getnewsales", "2017-08-07")).Root.Name.LocalName.Should().Be("getnewsalesresult");
        }

        var over = await CallAsync(sandbox, "sales_ws", "getnewsales", "2017-08-07");

        Local(over.Root, "code").Should().Be("InvalidUserRights");
        Local(over.Root, "message").Should().Be("Quota exceeded.");
    }
}
