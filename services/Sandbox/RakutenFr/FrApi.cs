using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.RakutenFr;

/// <summary>Rakuten France <c>sales_ws</c> and <c>stock_ws</c> (reference/rakuten-fr.md §A.1–A.5): one URL per
/// web service, the operation in <c>action</c>, credentials in <c>login</c>/<c>pwd</c>, a <c>version</c> per action.</summary>
public static class FrApi
{
    public const string Api = "rakuten-fr";

    private static readonly Dictionary<string, string[]> Versions = new()
    {
        ["getnewsales"] = ["2017-08-07", "2014-02-11"],
        ["acceptsale"] = ["2021-04-08", "2010-09-20"],
        ["refusesale"] = ["2010-09-20"],
        ["getcurrentsales"] = ["2021-10-29", "2017-08-07"],
        ["getitemtodolist"] = ["2011-09-01"],
        ["getiteminfos"] = ["2017-08-07"],
        ["settrackingpackageinfos"] = ["2016-03-16", "2012-11-06"],
        ["cancelitem"] = ["2011-02-02"],
        ["importitemshippingstatus"] = ["2016-05-09"],
        ["getbillinginformation"] = ["2016-03-16"],
        ["getshippinginformation"] = ["2017-09-12"],
        ["export"] = ["2018-06-29"],
        ["genericimportfile"] = ["2015-02-02"],
        ["genericimportreport"] = ["2017-02-10"],
        ["producttypes"] = ["2015-06-30"],
        ["producttypetemplate"] = ["2017-10-04"],
    };

    private static readonly Dictionary<string, string[]> Services = new()
    {
        ["sales_ws"] = ["getnewsales", "acceptsale", "refusesale", "getcurrentsales", "getitemtodolist", "getiteminfos",
            "settrackingpackageinfos", "cancelitem", "getbillinginformation", "getshippinginformation", "importitemshippingstatus"],
        ["stock_ws"] = ["export", "genericimportfile", "genericimportreport", "producttypes", "producttypetemplate"],
    };

    public static void Map(RouteGroupBuilder fr, SandboxState state)
    {
        foreach (var service in Services.Keys)
        {
            fr.MapMethods($"/{service}", ["GET", "POST"], (HttpContext http, CancellationToken _) => RunAsync(http, state, service));
        }
    }

    private static async Task<IResult> RunAsync(HttpContext http, SandboxState state, string service)
    {
        var q = http.Request.Query;
        var action = q["action"].ToString();
        var login = q["login"].ToString();
        string? account = null;
        var result = await AnswerAsync();
        state.Calls.Record(Api, $"{service}.{action}", account, result switch { FrXml x => x.Status, IStatusCodeHttpResult s => s.StatusCode ?? 200, _ => 200 });
        return result;

        async Task<IResult> AnswerAsync()
        {
            if (await state.Faults.NextAsync(Api, $"{service}.{action}", login, http.RequestAborted) is { } fault)
            {
                return await FaultAsync(http, fault, state);
            }

            foreach (var required in new[] { "action", "login", "pwd", "version" })
            {
                if (string.IsNullOrEmpty(q[required]))
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", $"The parameter {required} is mandatory");
                }
            }

            if (!Services[service].Contains(action))
            {
                return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", $"The parameter action '{action}' is invalid for {service}.");
            }

            FrSeller? seller;
            lock (state.Sync)
            {
                state.FrSellers.TryGetValue(login, out seller);
            }

            // The login is the account name; an e-mail, a wrong token or an unknown account are all refused alike.
            if (seller is null || seller.Token != q["pwd"].ToString())
            {
                return Fail(state, 401, "Sender", "InvalidUserConnection", "Invalid user connection", "The login or the token is not valid.");
            }

            account = seller.Login;
            if (!Versions[action].Contains(q["version"].ToString()))
            {
                return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", $"The parameter version '{q["version"]}' is invalid for {action}.");
            }

            lock (state.Sync)
            {
                if (!SlidingWindow.TryTake(seller.Requests, state.Fr.RequestsPerHour, TimeSpan.FromHours(1), state.Clock.GetUtcNow()))
                {
                    return Fail(state, 403, "Sender", "InvalidUserRights", "Quota exceeded.",
                        "You have exceeded the maximum number of requests per hour. Please contact support.pro@priceminister.com");
                }
            }

            byte[]? file = null;
            if (action is "genericimportfile" or "importitemshippingstatus")
            {
                if (!http.Request.HasFormContentType || (await http.Request.ReadFormAsync(http.RequestAborted)).Files["file"] is not { } upload)
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The file must be sent in POST multipart/form-data, field 'file'.");
                }

                using var buffer = new MemoryStream();
                await upload.CopyToAsync(buffer, http.RequestAborted);
                file = buffer.ToArray();
            }

            lock (state.Sync)
            {
                return Handle(state, seller, action, q, file);
            }
        }
    }

    private static IResult Handle(SandboxState state, FrSeller seller, string action, IQueryCollection q, byte[]? file)
    {
        var version = q["version"].ToString();
        var request = new XElement("request", new XElement("version", version), new XElement("user", seller.Login));
        XElement Response(params object[] content) => new("response", new XElement("lastversion", version), content);

        switch (action)
        {
            case "getnewsales":
                return Ok("getnewsalesresult", action, request, Response(
                    new XElement("sellerid", seller.SellerId),
                    new XElement("sales", seller.Sales.Values.Where(s => s.Items.Any(i => i.Status == "TO_CONFIRM"))
                        .OrderBy(s => s.PurchaseId).Select(s => Sale(s, i => i.Status == "TO_CONFIRM")))));

            case "getcurrentsales":
            {
                var current = seller.Sales.Values.Where(s => s.Items.Any(i => i.Status is "ACCEPTED" or "SHIPPED"))
                    .OrderBy(s => s.PurchaseId).ToList();
                var (page, next) = Page(current, q["nexttoken"].ToString(), state.Fr.PageSize);
                if (page is null)
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The parameter 'nexttoken' is invalid.");
                }

                return Ok("getcurrentsalesresult", action, request, Response(
                    new XElement("nexttoken", next ?? ""),
                    new XElement("sellerid", seller.SellerId),
                    new XElement("sales", page.Select(s => Sale(s, i => i.Status is "ACCEPTED" or "SHIPPED")))));
            }

            case "acceptsale" or "refusesale":
            {
                if (Item(seller, q, out var sale) is not { } item)
                {
                    return InvalidItem(state);
                }

                if (item.Status != "TO_CONFIRM")
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", $"The item {item.ItemId} is not waiting for confirmation ({item.Status}).");
                }

                if (action == "refusesale")
                {
                    item.Status = "REFUSED";
                    return Ok("refusesaleresult", action, request, Response(new XElement("status", "Refused")));
                }

                var from = q["shippingfromcountry"].ToString();
                var import = q["importcountry"].ToString();
                foreach (var (name, code) in new[] { ("shippingfromcountry", from), ("importcountry", import) })
                {
                    // Numeric ISO 3166 codes; for France Rakuten wants 249, not 250 (reference §A.2, Lengow).
                    if (code.Length > 0 && (!code.All(char.IsDigit) || code == "250"))
                    {
                        return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", $"The parameter '{name}' is invalid.");
                    }
                }

                item.Status = "ACCEPTED";
                request.Add(new XElement("itemid", item.ItemId), new XElement("shippingfromcountry", from), new XElement("importcountry", import));
                return Ok("saleacceptanceresult", "acceptsale", request, Response(
                    new XElement("status", "Accepted"),
                    new XElement("shippingfromcountry", from),
                    new XElement("importcountry", import),
                    new XElement("onestopshop", new XElement("type", "NONE"), new XElement("value", ""))));
            }

            case "getitemtodolist":
                return Ok("getitemtodolistresult", action, request, Response(
                    new XElement("sellerid", seller.SellerId),
                    new XElement("items", seller.Sales.Values.SelectMany(s => s.Items).Where(i => i.Status == "ON_HOLD")
                        .Select(i => new XElement("item", new XElement("itemid", i.ItemId), new XElement("causes", new XElement("cause", "CLAIM")))))));

            case "getiteminfos":
            {
                if (Item(seller, q, out var sale) is not { } item)
                {
                    return InvalidItem(state);
                }

                return Ok("getiteminfosresult", action, request, Response(
                    new XElement("sellerid", seller.SellerId),
                    new XElement("item",
                        new XElement("itemid", item.ItemId),
                        new XElement("purchaseid", sale!.PurchaseId),
                        new XElement("date", FrDate(sale.PurchaseDate)),
                        new XElement("itemstatus", item.Status),
                        new XElement("paymentstatus", "Forthcoming"),
                        new XElement("transporter", item.TransporterName ?? ""),
                        new XElement("trackingnumber", item.TrackingNumber ?? ""),
                        new XElement("trackingurl", item.TrackingUrl ?? ""))));
            }

            case "settrackingpackageinfos":
            {
                if (Item(seller, q, out var sale) is not { } item)
                {
                    return InvalidItem(state);
                }

                var transporter = q["transporter_name"].ToString();
                var number = q["tracking_number"].ToString();
                var url = q["tracking_url"].ToString();
                var problem =
                    item.Status is not ("ACCEPTED" or "SHIPPED") ? $"The item {item.ItemId} cannot be shipped ({item.Status})."
                    : !state.Fr.Transporters.Contains(transporter) ? "The parameter 'transporter_name' is invalid."
                    : transporter == "Autre" && url.Length == 0 ? "The parameter 'tracking_url' is mandatory when transporter_name is Autre."
                    : url.Length > 0 && !url.StartsWith("http://", StringComparison.Ordinal) && !url.StartsWith("https://", StringComparison.Ordinal) ? "The parameter 'tracking_url' is invalid."
                    : sale!.PrepaidTrackingNumber is { } prepaid && number != prepaid ? $"The item {item.ItemId} ships with a prepaid label: its tracking number is {prepaid}."
                    : null;
                if (problem is not null)
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", problem);
                }

                item.TransporterName = transporter;
                item.TrackingNumber = number;
                item.TrackingUrl = url;
                item.Status = "SHIPPED";
                // The answer's root is setshippingpackageinfosresult, and the echo is camelCase (§A.2).
                request.Add(new XElement("itemid", item.ItemId), new XElement("trackingNumber", number),
                    new XElement("trackingUrl", url), new XElement("transporterName", transporter));
                return Ok("setshippingpackageinfosresult", action, request, Response(new XElement("status", "OK")));
            }

            case "importitemshippingstatus":
                return ShippingStatus(state, seller, file!, request, Response);

            case "cancelitem":
            {
                if (Item(seller, q, out _) is not { } item)
                {
                    return InvalidItem(state);
                }

                if (string.IsNullOrWhiteSpace(q["comment"]))
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The parameter comment is mandatory");
                }

                if (item.Status is not ("ACCEPTED" or "TO_CONFIRM"))
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", $"The item {item.ItemId} cannot be cancelled ({item.Status}).");
                }

                item.Status = "CANCELLED";
                item.CancelComment = q["comment"];
                return Ok("cancelitemresult", action, request, Response(new XElement("status", "CANCELLED")));
            }

            case "getbillinginformation" or "getshippinginformation":
            {
                if (!long.TryParse(q["purchaseid"], out var purchaseId) || !seller.Sales.TryGetValue(purchaseId, out var sale))
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The parameter 'purchaseid' is invalid.");
                }

                return action == "getbillinginformation"
                    ? Ok("getbillinginformationresult", action, request, Response(new XElement("billinginformation",
                        new XElement("items", sale.Items.Select(i => new XElement("item",
                            new XElement("itemid", i.ItemId), new XElement("sku", new XCData(i.Sku)), new XElement("headline", new XCData(i.Headline)),
                            new XElement("itemstatus", i.Status), FrXml.Money("itemsaleprice", i.Price),
                            FrXml.Money("shippingsaleprice", sale.ShippingPrice / sale.Items.Count),
                            FrXml.Money("paymentamount", i.Price + sale.ShippingPrice / sale.Items.Count)))))))
                    : Ok("getshippinginformationresult", action, request, Response(new XElement("shippinginformation",
                        new XElement("shippingtype", sale.ShippingType),
                        new XElement("prepaidlabel",
                            new XElement("available", sale.PrepaidTrackingNumber is null ? "N" : "Y"),
                            new XElement("trackinginformation",
                                new XElement("trackingnumber", sale.PrepaidTrackingNumber ?? ""),
                                new XElement("trackingurl", sale.PrepaidTrackingNumber is { } n ? $"https://www.laposte.fr/outils/suivre-vos-envois?code={n}" : ""))),
                        FrXml.Money("purchaseshippingcostprice", sale.ShippingPrice),
                        new XElement("purchasebuyerlogin", new XCData(sale.BuyerLogin)),
                        new XElement("purchasebuyeremail", sale.BuyerEmail),
                        Address("billingaddress", sale.BillingAddress))));
            }

            case "export":
            {
                var (page, next) = Page(seller.Offers.Values.OrderBy(o => o.AdvertId).ToList(), q["nexttoken"].ToString(), state.Fr.PageSize);
                if (page is null)
                {
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The parameter 'nexttoken' is invalid.");
                }

                return Ok("inventoryresult", action, request, Response(
                    new XElement("nbresults", seller.Offers.Count),
                    new XElement("nexttoken", next ?? ""),
                    new XElement("advertlist", page.Select(o => new XElement("advert",
                        new XElement("productsummary", new XElement("productid", o.ProductId), new XElement("headline", new XCData(o.Headline)),
                            new XElement("barcode", o.Ean ?? "")),
                        new XElement("advertid", o.AdvertId),
                        new XElement("sku", new XCData(o.Sku)),
                        FrXml.Money("price", o.Price),
                        new XElement("quality", "NEW"),
                        new XElement("unlimitedquantity", "false"),
                        new XElement("stock", o.Stock),
                        new XElement("adverttype", "NEW"))))));
            }

            case "genericimportfile":
                return StockFiles.Import(state, seller, file!, request, Response);

            // The shapes of these two answers were not obtained (reference F.2): element names are the Sandbox's own.
            case "producttypes":
                return Ok("producttypesresult", action, request, Response(new XElement("producttypes",
                    state.Fr.ProductTypes.Select(t => new XElement("producttype", new XElement("alias", t.Key), new XElement("label", new XCData(t.Value.Label)))))));

            case "producttypetemplate":
            {
                var scope = q["scope"].ToString();
                if (scope is not ("" or "VALUES"))
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", $"The parameter scope '{scope}' is invalid.");
                if (!state.Fr.ProductTypes.TryGetValue(q["alias"].ToString(), out var type))
                    return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", $"The parameter alias '{q["alias"]}' is invalid.");
                return Ok("producttypetemplateresult", action, request, Response(
                    new XElement("alias", q["alias"].ToString()),
                    new XElement("attributes", type.Attributes.GroupBy(a => a.Section).Select(g => new XElement(g.Key, g.Select(a => new XElement("attribute",
                        new XElement("key", a.Key), new XElement("label", new XCData(a.Label)), new XElement("mandatory", a.Mandatory ? 1 : 0),
                        new XElement("valuetype", a.Values is null ? "Text" : "List"), new XElement("hasvalues", a.Values is null ? 0 : 1),
                        scope == "VALUES" && a.Values is not null ? new XElement("values", a.Values.Select(v => new XElement("value", new XCData(v)))) : null)))))));
            }

            default: // genericimportreport
                return StockFiles.Report(state, seller, q, request, Response);
        }
    }

    /// <summary>The batch alternative to settrackingpackageinfos (§A.2): <c>&lt;items&gt;&lt;item&gt;&lt;purchaseid/&gt;&lt;itemid/&gt;
    /// [&lt;transporter/&gt;&lt;trackingnumber/&gt;&lt;trackingurl/&gt;]&lt;/item&gt;…&lt;/items&gt;</c>; an untracked ("Normal") shipment needs
    /// only the purchase and item ids. Every item is checked before any is marked shipped.</summary>
    private static IResult ShippingStatus(SandboxState state, FrSeller seller, byte[] file, XElement request, Func<object[], XElement> response)
    {
        List<XElement> items;
        try
        {
            items = XDocument.Parse(Encoding.Latin1.GetString(file)).Root?.Elements("item").ToList() ?? [];
        }
        catch (System.Xml.XmlException)
        {
            return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The file is not valid XML.");
        }

        var updates = new List<(FrItem Item, XElement Line)>();
        foreach (var line in items)
        {
            var found = long.TryParse(line.Element("purchaseid")?.Value, out var purchaseId) && seller.Sales.TryGetValue(purchaseId, out var sale)
                        && long.TryParse(line.Element("itemid")?.Value, out var itemId) ? sale.Items.FirstOrDefault(i => i.ItemId == itemId) : null;
            var transporter = line.Element("transporter")?.Value ?? "";
            var problem = found is null ? $"The item {line.Element("itemid")?.Value} of purchase {line.Element("purchaseid")?.Value} does not exist."
                : found.Status is not ("ACCEPTED" or "SHIPPED") ? $"The item {found.ItemId} cannot be shipped ({found.Status})."
                : transporter.Length > 0 && !state.Fr.Transporters.Contains(transporter) ? "The parameter 'transporter' is invalid."
                : null;
            if (problem is not null)
            {
                return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", problem);
            }

            updates.Add((found!, line));
        }

        if (updates.Count == 0)
        {
            return Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The file has no item.");
        }

        foreach (var (item, line) in updates)
        {
            item.Status = "SHIPPED";
            item.TransporterName = line.Element("transporter")?.Value;
            item.TrackingNumber = line.Element("trackingnumber")?.Value;
            item.TrackingUrl = line.Element("trackingurl")?.Value;
        }

        return Ok("importresult", "importitemshippingstatus", request, response([new XElement("status", "OK")]));
    }

    public static IResult Ok(string root, string schema, XElement request, XElement response) =>
        new FrXml(FrXml.Document(root, schema, request, response));

    public static IResult Fail(SandboxState state, int status, string type, string code, string message, params string[] details) =>
        new FrXml(FrXml.Error(type, code, message, details), state.Fr.ErrorsWithHttp200 ? 200 : status);

    private static IResult InvalidItem(SandboxState state) =>
        Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The parameter 'itemid' is invalid.");

    private static FrItem? Item(FrSeller seller, IQueryCollection q, out FrSale? sale)
    {
        sale = null;
        if (!long.TryParse(q["itemid"], out var itemId))
        {
            return null;
        }

        sale = seller.Sales.Values.FirstOrDefault(s => s.Items.Any(i => i.ItemId == itemId));
        return sale?.Items.First(i => i.ItemId == itemId);
    }

    /// <summary>Pages by an opaque token (the offset, base64): an empty token in the answer means the last page.</summary>
    private static (List<T>? Page, string? Next) Page<T>(List<T> all, string token, int size)
    {
        var offset = 0;
        if (token.Length > 0)
        {
            try
            {
                offset = int.Parse(Encoding.ASCII.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }

        var page = all.Skip(offset).Take(size).ToList();
        var next = offset + size < all.Count ? Convert.ToBase64String(Encoding.ASCII.GetBytes((offset + size).ToString(CultureInfo.InvariantCulture))) : null;
        return (page, next);
    }

    /// <summary>Paris time, <c>dd/MM/yyyy-HH:mm</c> (§A.2).</summary>
    public static string FrDate(DateTimeOffset at)
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        return TimeZoneInfo.ConvertTime(at, paris).ToString("dd/MM/yyyy-HH:mm", CultureInfo.InvariantCulture);
    }

    private static XElement Sale(FrSale s, Func<FrItem, bool> which) => new("sale",
        new XElement("purchaseid", s.PurchaseId),
        new XElement("purchasedate", FrDate(s.PurchaseDate)),
        new XElement("deliveryinformation",
            new XElement("shippingtype", s.ShippingType),
            new XElement("isfullrsl", "N"),
            new XElement("purchasebuyerlogin", new XCData(s.BuyerLogin)),
            new XElement("purchasebuyeremail", s.BuyerEmail),
            s.RelayPoint is { } r
                ? new XElement("collectionpointaddress",
                    new XElement("civility", s.BillingAddress.Civility), new XElement("lastname", new XCData(s.BillingAddress.LastName)),
                    new XElement("firstname", new XCData(s.BillingAddress.FirstName)), new XElement("id", new XCData(r.Id)),
                    new XElement("name", new XCData(r.Name)), new XElement("address", new XCData(r.Address)),
                    new XElement("zipcode", r.ZipCode), new XElement("city", new XCData(r.City)), new XElement("country", new XCData(r.Country)))
                : null,
            s.DeliveryAddress is { } d ? Address("deliveryaddress", d) : null,
            Address("billingaddress", s.BillingAddress)),
        new XElement("items", s.Items.Where(which).Select(i => new XElement("item",
            new XElement("sku", new XCData(i.Sku)),
            new XElement("advertid", i.AdvertId),
            FrXml.Money("advertpricelisted", i.Price),
            new XElement("itemid", i.ItemId),
            new XElement("headline", new XCData(i.Headline)),
            new XElement("itemstatus", new XCData(i.Status)),
            new XElement("ispreorder", "N"),
            new XElement("isnego", "N"),
            new XElement("negotiationcomment", ""),
            FrXml.Money("price", i.Price),
            new XElement("isrsl", "N"),
            new XElement("isbn", ""),
            new XElement("ean", ""),
            new XElement("paymentstatus", new XCData("INCOMING")),
            new XElement("sellerscore", "")))));

    private static XElement Address(string name, FrAddress a) => new(name,
        new XElement("civility", a.Civility),
        new XElement("lastname", new XCData(a.LastName)),
        new XElement("firstname", new XCData(a.FirstName)),
        new XElement("address1", new XCData(a.Address1)),
        new XElement("address2", new XCData(a.Address2 ?? "")),
        new XElement("zipcode", a.ZipCode),
        new XElement("city", new XCData(a.City)),
        new XElement("country", new XCData(a.Country)),
        new XElement("countryalpha2", a.CountryAlpha2),
        new XElement("phonenumber1", a.Phone ?? ""),
        new XElement("phonenumber2", ""));

    private static async Task<IResult> FaultAsync(HttpContext http, FaultRule fault, SandboxState state)
    {
        switch (fault.Kind)
        {
            case FaultKind.RateLimited:
                return Fail(state, 403, "Sender", "InvalidUserRights", "Quota exceeded.", "Injected quota error.");
            case FaultKind.ServerError:
                return new FrXml(FrXml.Error("ServerError", "ServerError", "Server not able to fullfill request."), 500);
            case FaultKind.Maintenance:
                return new FrXml(FrXml.Error("Unknown error", "Unknown error", "Service unavailable"), 503);
            case FaultKind.Timeout:
                await Faults.HoldAsync(fault, http.RequestAborted);

                return Results.StatusCode(504);
            default:
                return Results.Text("<getnewsalesresult><response><sales><sale>", "text/xml; charset=ISO-8859-1", Encoding.Latin1, 200);
        }
    }
}
