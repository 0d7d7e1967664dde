using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.Rms;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>How an RMS call ended: the answer, or why not (RMS's message codes kept for the merchant).</summary>
public sealed record RmsAnswer(HttpStatusCode Status, JsonObject? Body)
{
    public bool Ok => Status == HttpStatusCode.OK && Body is not null;

    public string Messages => Body?["MessageModelList"] is JsonArray list
        ? string.Join("; ", list.Select(m => $"{m?["messageCode"]}: {m?["message"]}"))
        : $"HTTP {(int)Status}";
}

/// <summary>The RakutenPay Order API (RMS): POST with a JSON body and the ESA header; dates as
/// <c>yyyy-MM-ddTHH:mm:ss+0900</c> with no colon in the offset (RMS refuses +09:00 with ERROR_011). Every call goes
/// through <see cref="RmsClient"/>: one call a second per shop across the poller, the status sweep, cancellations, shipment
/// reports and every replica; searches and reads are retried on failure, writes (confirm, cancel, shipping) only when
/// RMS said it did not run them (429).</summary>
public sealed class RmsOrderClient(RmsClient rms)
{
    public const int GetOrderVersion = 10;

    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    public static string RmsDate(DateTimeOffset at) => at.ToOffset(Jst).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+0900";

    /// <summary>One page of order numbers whose <paramref name="dateType"/> date (1 ordered, 2 confirmed, 3 fixed, 4 shipped,
    /// 5 shipment reported, 6 payment fixed) falls between <paramref name="from"/> and <paramref name="to"/> (≤ 63 days apart).</summary>
    public Task<RmsAnswer> SearchOrderAsync(Guid? connectionId, string baseUrl, RmsCredentials credentials, DateTimeOffset from, DateTimeOffset to, int page, int[] progresses,
        CancellationToken ct, bool probe = false, int dateType = 1) =>
        PostAsync(new(connectionId, "searchOrder", Idempotent: true, probe), baseUrl, credentials, new JsonObject
        {
            ["dateType"] = dateType,
            ["orderProgressList"] = new JsonArray(progresses.Select(p => (JsonNode)p).ToArray()),
            ["startDatetime"] = RmsDate(from),
            // RMS dates have whole seconds: round the end up, or an order placed within the last second is missed.
            ["endDatetime"] = RmsDate(to.AddTicks(TimeSpan.TicksPerSecond - 1)),
            ["PaginationRequestModel"] = new JsonObject
            {
                ["requestRecordsAmount"] = 1000,
                ["requestPage"] = page,
                ["SortModelList"] = new JsonArray(new JsonObject { ["sortColumn"] = 1, ["sortDirection"] = 1 }),
            },
        }, ct);

    /// <summary>Up to 100 orders, version 10 (SkuModelList needs ≥ 7).</summary>
    public Task<RmsAnswer> GetOrderAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, IReadOnlyList<string> numbers, CancellationToken ct) =>
        PostAsync(new(connectionId, "getOrder", Idempotent: true), baseUrl, credentials, new JsonObject
        {
            ["orderNumberList"] = new JsonArray(numbers.Select(n => (JsonNode)n).ToArray()),
            ["version"] = GetOrderVersion,
        }, ct);

    /// <summary>注文確認: up to 100 orders, each answered in the MessageModelList (INFO_101, or ERROR_102 cancelled / 103 not awaiting confirmation).</summary>
    public Task<RmsAnswer> ConfirmOrderAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, IReadOnlyList<string> numbers, CancellationToken ct) =>
        PostAsync(new(connectionId, "confirmOrder", Idempotent: false), baseUrl, credentials, new JsonObject { ["orderNumberList"] = new JsonArray(numbers.Select(n => (JsonNode)n).ToArray()) }, ct);

    /// <summary>キャンセル申請: <paramref name="reasonCode"/> is an RMS changeReasonDetailApply code; RMS stock is restored (1),
    /// as the platform's next absolute push would set it anyway.</summary>
    public Task<RmsAnswer> CancelOrderAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string number, int reasonCode, CancellationToken ct) =>
        PostAsync(new(connectionId, "cancelOrder", Idempotent: false), baseUrl, credentials, new JsonObject
        {
            ["orderNumber"] = number,
            ["inventoryRestoreType"] = 1,
            ["changeReasonDetailApply"] = reasonCode,
        }, ct);

    /// <summary>発送情報の登録: per basket, shipping records (carrier code, number, date); a record with its
    /// shippingDetailId is updated, one without is added. RMS answers per record.</summary>
    public Task<RmsAnswer> UpdateOrderShippingAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string number, JsonArray baskets, CancellationToken ct) =>
        PostAsync(new(connectionId, "updateOrderShipping", Idempotent: false), baseUrl, credentials, new JsonObject { ["orderNumber"] = number, ["BasketidModelList"] = baskets }, ct);

    private sealed record Function(Guid? ConnectionId, string Name, bool Idempotent, bool Probe = false);

    private async Task<RmsAnswer> PostAsync(Function function, string baseUrl, RmsCredentials credentials, JsonObject body, CancellationToken ct)
    {
        var call = new RmsCall(function.ConnectionId, HttpMethod.Post, $"order.{function.Name}", rms.OrderApi, function.Idempotent, function.Probe);
        var response = await rms.SendAsync(call, $"{baseUrl.TrimEnd('/')}/es/2.0/order/{function.Name}/", credentials, body, ct);
        return new RmsAnswer(response.Status, response.Json());
    }
}
