using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary>RakutenPay Order API (reference/rakuten-jp-rms.md §3): always POST with a JSON body, answers in
/// <c>MessageModelList</c> envelopes, HTTP 400 when the request itself is invalid.</summary>
public static partial class OrderApi
{
    private static readonly int[] Progresses = [100, 200, 300, 400, 500, 600, 700, 800, 900];

    public static void Map(RouteGroupBuilder rms, SandboxState state)
    {
        // The official pages show a trailing slash; real traffic without it worked too (reference §2), and
        // ASP.NET Core routing matches both.
        const string suffix = "/";
        {
            rms.MapPost($"/es/2.0/order/searchOrder{suffix}", (HttpContext http, CancellationToken _) => Run(http, state, "SEARCH_ORDER", "searchOrder", SearchOrder));
            rms.MapPost($"/es/2.0/order/getOrder{suffix}", (HttpContext http, CancellationToken _) => Run(http, state, "GET_ORDER", "getOrder", GetOrder));
            rms.MapPost($"/es/2.0/order/confirmOrder{suffix}", (HttpContext http, CancellationToken _) => Run(http, state, "CONFIRM_ORDER", "confirmOrder", ConfirmOrder));
            rms.MapPost($"/es/2.0/order/updateOrderShipping{suffix}", (HttpContext http, CancellationToken _) => Run(http, state, "UPDATE_ORDERSHIPPING", "updateOrderShipping", UpdateOrderShipping));
            rms.MapPost($"/es/2.0/order/cancelOrder{suffix}", (HttpContext http, CancellationToken _) => Run(http, state, "CANCEL_ORDER", "cancelOrder", CancelOrder));
        }
    }

    private static Task<IResult> Run(HttpContext http, SandboxState state, string function, string endpoint,
        Func<SandboxState, RmsShop, JsonObject, Check, IResult> handle) =>
        new ApiCall(RmsGateway.Api, $"order.{endpoint}").RunAsync(
            http, state, RmsGateway.Authenticate(state, orderApi: true), RmsGateway.GatewayError(true, function),
            ("order-api", state.RmsOrderApiPerSecond),
            (shop, body) => handle(state, state.RmsShops[shop], body as JsonObject ?? [], new Check(function)));

    private static IResult SearchOrder(SandboxState state, RmsShop shop, JsonObject body, Check check)
    {
        var dateType = check.Number(body, "dateType", required: true, allowed: [1, 2, 3, 4, 5, 6]);
        var start = check.Datetime(body, "startDatetime");
        var end = check.Datetime(body, "endDatetime");
        var progresses = check.NumberList(body, "orderProgressList", Progresses);
        var paging = body["PaginationRequestModel"] as JsonObject ?? [];
        var amount = check.Number(paging, "requestRecordsAmount", required: false, min: 1, max: 1000) ?? 30;
        var page = check.Number(paging, "requestPage", required: false, min: 1, max: int.MaxValue) ?? 1;
        var direction = (paging["SortModelList"] as JsonArray)?.FirstOrDefault()?["sortDirection"]?.GetValue<int>() ?? 2;

        if (start is { } s && end is { } e)
        {
            // Codes for these two rules are not public (reference §3.7): ERROR_023 / ERROR_024 are this Sandbox's.
            if (e < s || e - s > TimeSpan.FromDays(63))
            {
                check.Error("023", "endDatetimeはstartDatetimeから63日以内の日時を指定して下さい。");
            }

            if (s < state.Clock.GetUtcNow().AddDays(-730))
            {
                check.Error("024", "startDatetimeは過去730日以内の日時を指定して下さい。");
            }
        }

        if (check.Failed)
        {
            return check.BadRequest(new JsonObject { ["orderNumberList"] = null, ["PaginationResponseModel"] = null });
        }

        var matches = shop.Orders.Values
            .Where(o => progresses is null || progresses.Contains(o.OrderProgress))
            .Select(o => (Order: o, At: DateOf(o, dateType!.Value)))
            .Where(x => x.At is { } at && at >= start && at <= end)
            .ToList();
        matches = direction == 1 ? matches.OrderBy(x => x.Order.OrderDatetime).ToList() : matches.OrderByDescending(x => x.Order.OrderDatetime).ToList();
        if (matches.Count == 0)
        {
            return new JsonAnswer(200, new JsonObject
            {
                ["orderNumberList"] = new JsonArray(),
                ["MessageModelList"] = new JsonArray(RmsGateway.Message("INFO", "ORDER_EXT_API_SEARCH_ORDER_INFO_102", "注文検索に成功しました。(検索結果０件)")),
                ["PaginationResponseModel"] = new JsonObject { ["totalRecordsAmount"] = null, ["totalPages"] = null, ["requestPage"] = null },
            });
        }

        // Beyond the 15,000th match nothing can be retrieved (reference §3.2): pages past it come back empty.
        var retrievable = matches.Take(15_000).ToList();
        var numbers = retrievable.Skip((page - 1) * amount).Take(amount).Select(x => (JsonNode)x.Order.OrderNumber).ToArray();
        return new JsonAnswer(200, new JsonObject
        {
            ["orderNumberList"] = new JsonArray(numbers),
            ["MessageModelList"] = new JsonArray(RmsGateway.Message("INFO", "ORDER_EXT_API_SEARCH_ORDER_INFO_101", "注文検索に成功しました。")),
            ["PaginationResponseModel"] = new JsonObject
            {
                ["totalRecordsAmount"] = matches.Count,
                ["totalPages"] = (matches.Count + amount - 1) / amount,
                ["requestPage"] = page,
            },
        });
    }

    private static IResult GetOrder(SandboxState state, RmsShop shop, JsonObject body, Check check)
    {
        var numbers = check.OrderNumbers(body);
        var version = check.Number(body, "version", required: true, allowed: [3, 4, 5, 6, 7, 8, 9, 10]);
        if (check.Failed)
        {
            return check.BadRequest(new JsonObject { ["OrderModelList"] = null });
        }

        var messages = new JsonArray();
        var models = new JsonArray();
        foreach (var number in numbers!)
        {
            if (shop.Orders.TryGetValue(number, out var order) && order.OrderDatetime >= state.Clock.GetUtcNow().AddDays(-730))
            {
                models.Add(OrderModelJson.Render(order, version!.Value));
            }
            else
            {
                messages.Add(RmsGateway.Message("INFO", "ORDER_EXT_API_GET_ORDER_INFO_102", "受注情報が取得できませんでした。", number));
            }
        }

        if (models.Count > 0)
        {
            messages.Insert(0, RmsGateway.Message("INFO", "ORDER_EXT_API_GET_ORDER_INFO_101", $"受注情報取得に成功しました。(取得件数{models.Count}件)"));
        }

        var answer = new JsonObject { ["MessageModelList"] = messages, ["OrderModelList"] = models };
        if (version >= 6)
        {
            answer["version"] = version;
        }

        return new JsonAnswer(200, answer);
    }

    private static IResult ConfirmOrder(SandboxState state, RmsShop shop, JsonObject body, Check check)
    {
        var numbers = check.OrderNumbers(body);
        if (check.Failed)
        {
            return check.BadRequest();
        }

        var messages = new JsonArray();
        foreach (var number in numbers!)
        {
            if (!shop.Orders.TryGetValue(number, out var order))
            {
                messages.Add(RmsGateway.Message("ERROR", "ORDER_EXT_API_CONFIRM_ORDER_ERROR_101", "注文情報が存在しません。", number));
            }
            else if (order.OrderProgress is 800 or 900)
            {
                messages.Add(RmsGateway.Message("ERROR", "ORDER_EXT_API_CONFIRM_ORDER_ERROR_102", "キャンセルされた注文のため、注文確認できません。", number));
            }
            else if (order.OrderProgress != 100)
            {
                messages.Add(RmsGateway.Message("ERROR", "ORDER_EXT_API_CONFIRM_ORDER_ERROR_103", "注文確認待ちではないため、注文確認できません。", number));
            }
            else
            {
                // 100 → 300: Rakuten's own processing (200) is instantaneous here.
                var now = state.Clock.GetUtcNow();
                order.OrderProgress = 300;
                order.ShopOrderCfmDatetime = now;
                order.OrderFixDatetime = now;
                order.ChangeReasons.Add(ChangeReason(order, 8, null, now));
                messages.Add(RmsGateway.Message("INFO", "ORDER_EXT_API_CONFIRM_ORDER_INFO_101", "注文確認に成功しました。", number));
            }
        }

        return new JsonAnswer(200, new JsonObject { ["MessageModelList"] = messages });
    }

    private static IResult UpdateOrderShipping(SandboxState state, RmsShop shop, JsonObject body, Check check)
    {
        var number = check.Text(body, "orderNumber");
        var baskets = check.List(body, "BasketidModelList");
        if (check.Failed)
        {
            return check.BadRequest();
        }

        if (!shop.Orders.TryGetValue(number!, out var order))
        {
            check.Error("101", "orderNumberに該当する注文が存在しません。");
            return check.BadRequest();
        }

        // Validate every record first; apply only when all are valid.
        var records = new List<(RmsPackage Package, JsonObject Record, int DataNumber)>();
        var perRecord = new JsonArray();
        var dataNumber = 0;
        foreach (var basketNode in baskets!)
        {
            var basket = basketNode as JsonObject ?? [];
            var basketId = basket["basketId"]?.GetValue<long>();
            var package = order.Packages.FirstOrDefault(p => p.BasketId == basketId);
            foreach (var recordNode in basket["ShippingModelList"] as JsonArray ?? [])
            {
                dataNumber++;
                var record = recordNode as JsonObject ?? [];
                var detailId = record["shippingDetailId"]?.GetValue<long>();
                var problem =
                    package is null ? ("ERROR_011", "basketIdの書式が不正です。")
                    : order.OrderProgress is 800 or 900 ? ("ERROR_102", "キャンセルされた注文のため、発送情報を更新できません。")
                    : Field(record, "deliveryCompany") is { } company && !Carriers.Names.ContainsKey(company) ? ("ERROR_011", "deliveryCompanyの書式が不正です。")
                    : Field(record, "shippingDate") is { Length: > 0 } date && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? ("ERROR_011", "shippingDateの書式が不正です。")
                    : Field(record, "shippingNumber") is { Length: > 120 } ? ("ERROR_011", "shippingNumberの書式が不正です。")
                    : detailId is { } id && package.Shippings.All(s => s.ShippingDetailId != id) ? ("ERROR_011", "shippingDetailIdの書式が不正です。")
                    : ((string, string)?)null;
                if (problem is { } p)
                {
                    perRecord.Add(Record("ERROR", $"ORDER_EXT_API_UPDATE_ORDERSHIPPING_{p.Item1}", p.Item2, dataNumber, detailId));
                }
                else
                {
                    records.Add((package!, record, dataNumber));
                }
            }
        }

        if (perRecord.Count > 0 || dataNumber == 0)
        {
            if (dataNumber == 0)
            {
                check.Error("009", "ShippingModelListの項目を指定して下さい。");
                return check.BadRequest();
            }

            return new JsonAnswer(400, new JsonObject { ["MessageModelList"] = perRecord });
        }

        var messages = new JsonArray();
        foreach (var (package, record, n) in records)
        {
            var detailId = record["shippingDetailId"]?.GetValue<long>();
            var existing = detailId is { } id ? package.Shippings.First(s => s.ShippingDetailId == id) : null;
            if (existing is not null && record["shippingDeleteFlag"]?.GetValue<int>() == 1)
            {
                package.Shippings.Remove(existing);
                messages.Add(Record("INFO", "ORDER_EXT_API_UPDATE_ORDERSHIPPING_INFO_103", "発送情報の削除設定が完了しました。", n, existing.ShippingDetailId));
                continue;
            }

            var target = existing ?? new RmsShipping { ShippingDetailId = shop.NextShippingDetailId++ };
            // An omitted field stays as it is; an empty string clears it (reference §3.5).
            if (record.ContainsKey("deliveryCompany")) target.DeliveryCompany = Blank(Field(record, "deliveryCompany"));
            if (record.ContainsKey("shippingNumber")) target.ShippingNumber = Blank(Field(record, "shippingNumber"));
            if (record.ContainsKey("shippingDate")) target.ShippingDate = Blank(Field(record, "shippingDate"));
            if (existing is null)
            {
                package.Shippings.Add(target);
                messages.Add(Record("INFO", "ORDER_EXT_API_UPDATE_ORDERSHIPPING_INFO_101", "発送情報の追加設定が完了しました。", n, target.ShippingDetailId));
            }
            else
            {
                messages.Add(Record("INFO", "ORDER_EXT_API_UPDATE_ORDERSHIPPING_INFO_102", "発送情報の更新設定が完了しました。", n, target.ShippingDetailId));
            }
        }

        // A ship date on every basket is the 発送完了報告: the order moves to 500 (発送済).
        if (order.OrderProgress is 200 or 300 or 400 && order.Packages.All(p => p.Shippings.Any(s => s.ShippingDate is not null)))
        {
            order.OrderProgress = 500;
            order.ShippingCmplRptDatetime = state.Clock.GetUtcNow();
        }

        return new JsonAnswer(200, new JsonObject { ["MessageModelList"] = messages });
    }

    private static IResult CancelOrder(SandboxState state, RmsShop shop, JsonObject body, Check check)
    {
        var number = check.Text(body, "orderNumber");
        var restore = check.Number(body, "inventoryRestoreType", required: true, allowed: [0, 1, 2]);
        var reason = check.Number(body, "changeReasonDetailApply", required: true, allowed: [1, 2, 3, 4, 5, 6, 8, 10, 13, 14, 15]);
        if (check.Failed)
        {
            return check.BadRequest();
        }

        if (!shop.Orders.TryGetValue(number!, out var order))
        {
            check.Error("101", "orderNumberに該当する注文が存在しません。");
            return check.BadRequest();
        }

        if (order.OrderProgress is not (100 or 200 or 300))
        {
            check.Error("102", $"ステータスが{order.OrderProgress}の注文はキャンセル申請できません。");
            return check.BadRequest();
        }

        var now = state.Clock.GetUtcNow();
        order.OrderProgress = 900;
        order.ChangeReasons.Add(ChangeReason(order, 1, reason, now));
        return new JsonAnswer(200, RmsGateway.Messages(
            RmsGateway.Message("INFO", "ORDER_EXT_API_CANCEL_ORDER_INFO_101", "キャンセル申請に成功しました。", number)));
    }

    public static JsonObject ChangeReason(RmsOrder order, int changeType, int? detail, DateTimeOffset at) => new()
    {
        ["changeId"] = order.ChangeReasons.Count + 1,
        ["changeType"] = changeType,
        ["changeTypeDetail"] = null,
        ["changeReason"] = detail is null ? null : detail <= 6 ? 1 : 0,
        ["changeReasonDetail"] = detail,
        ["changeApplyDatetime"] = RmsGateway.Jst(at),
        ["changeFixDatetime"] = RmsGateway.Jst(at),
        ["changeCmplDatetime"] = RmsGateway.Jst(at),
    };

    private static DateTimeOffset? DateOf(RmsOrder o, int dateType) => dateType switch
    {
        1 => o.OrderDatetime,
        2 => o.ShopOrderCfmDatetime,
        3 or 6 => o.OrderFixDatetime,
        _ => o.ShippingCmplRptDatetime,
    };

    private static JsonObject Record(string type, string code, string message, int dataNumber, long? shippingDetailId) => new()
    {
        ["messageType"] = type,
        ["messageCode"] = code,
        ["message"] = message,
        ["dataNumber"] = dataNumber,
        ["shippingDetailId"] = shippingDetailId,
    };

    private static string? Field(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : o[name]?.ToJsonString();

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Collects the Order API's validation messages: <c>_ERROR_009</c> missing, <c>_ERROR_010</c>
    /// empty, <c>_ERROR_011</c> bad format (reference §3.7).</summary>
    public sealed partial class Check(string function)
    {
        private readonly List<JsonObject> _errors = [];

        public bool Failed => _errors.Count > 0;

        public void Error(string number, string message) =>
            _errors.Add(RmsGateway.Message("ERROR", $"ORDER_EXT_API_{function}_ERROR_{number}", message));

        public IResult BadRequest(JsonObject? payload = null)
        {
            var body = payload ?? [];
            body["MessageModelList"] = new JsonArray(_errors.Select(JsonNode (e) => e).ToArray());
            return new JsonAnswer(400, body);
        }

        public int? Number(JsonObject body, string field, bool required, int[]? allowed = null, int min = int.MinValue, int max = int.MaxValue)
        {
            if (!body.ContainsKey(field) || body[field] is null)
            {
                if (required) Error("009", $"{field}の項目を指定して下さい。");
                return null;
            }

            if (body[field] is JsonValue v && v.TryGetValue<int>(out var n) && (allowed?.Contains(n) ?? true) && n >= min && n <= max)
            {
                return n;
            }

            Error("011", $"{field}の書式が不正です。");
            return null;
        }

        public int[]? NumberList(JsonObject body, string field, int[] allowed)
        {
            if (body[field] is not JsonArray list)
            {
                return null;
            }

            var values = list.Select(n => n is JsonValue v && v.TryGetValue<int>(out var i) ? i : int.MinValue).ToArray();
            if (values.Any(v => !allowed.Contains(v)))
            {
                Error("011", $"{field}の書式が不正です。");
            }

            return values;
        }

        public string? Text(JsonObject body, string field)
        {
            if (!body.ContainsKey(field) || body[field] is null)
            {
                Error("009", $"{field}の項目を指定して下さい。");
                return null;
            }

            var text = body[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (string.IsNullOrEmpty(text))
            {
                Error("010", $"{field}の値を指定して下さい。");
                return null;
            }

            return text;
        }

        /// <summary>Only <c>yyyy-MM-ddTHH:mm:ss+0900</c>: <c>+09:00</c>, <c>Z</c> or no offset are refused (reference §2).</summary>
        public DateTimeOffset? Datetime(JsonObject body, string field)
        {
            var text = Text(body, field);
            if (text is null)
            {
                return null;
            }

            if (!RmsDatetime().IsMatch(text)
                || !DateTimeOffset.TryParseExact(text[..19] + "+09:00", "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                Error("011", $"{field}の書式が不正です。");
                return null;
            }

            return at;
        }

        public JsonArray? List(JsonObject body, string field)
        {
            if (body[field] is not JsonArray list)
            {
                Error("009", $"{field}の項目を指定して下さい。");
                return null;
            }

            if (list.Count == 0)
            {
                Error("010", $"{field}の値を指定して下さい。");
                return null;
            }

            return list;
        }

        public List<string>? OrderNumbers(JsonObject body)
        {
            var list = List(body, "orderNumberList");
            if (list is null)
            {
                return null;
            }

            if (list.Count > 100)
            {
                Error("012", "orderNumberListは100件以内で指定して下さい。");
                return null;
            }

            var numbers = list.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList();
            if (numbers.Any(n => !OrderNumber().IsMatch(n)))
            {
                Error("011", "orderNumberListの書式が不正です。");
                return null;
            }

            return numbers;
        }

        [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0900$")]
        private static partial Regex RmsDatetime();

        [GeneratedRegex(@"^\d{6}-\d{8}-\d+$")]
        private static partial Regex OrderNumber();
    }
}
