using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.Channels.RakutenJp.Connecting;

namespace Rakuten.Platform.Channels.RakutenJp.ImportingOrders;

/// <summary>How an RMS call ended: the answer, or why not (RMS's message codes kept for the merchant).</summary>
public sealed record RmsAnswer(HttpStatusCode Status, JsonObject? Body, TimeSpan? RetryAfter)
{
    public bool Ok => Status == HttpStatusCode.OK && Body is not null;

    public string Messages => Body?["MessageModelList"] is JsonArray list
        ? string.Join("; ", list.Select(m => $"{m?["messageCode"]}: {m?["message"]}"))
        : $"HTTP {(int)Status}";
}

/// <summary>The RakutenPay Order API (RMS): POST with a JSON body and the ESA header; dates as
/// <c>yyyy-MM-ddTHH:mm:ss+0900</c> with no colon in the offset (RMS refuses +09:00 with ERROR_011). Calls for one shop
/// are spaced (the poller, the status sweep and cancellations share the spacing) and a 429 is retried after its
/// Retry-After, twice at most.</summary>
public sealed class RmsOrderClient(IHttpClientFactory http, IConfiguration configuration)
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, long LastCall)> _shops = [];
    public const int GetOrderVersion = 10;

    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    public static string RmsDate(DateTimeOffset at) => at.ToOffset(Jst).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+0900";

    /// <summary>One page of order numbers ordered between <paramref name="from"/> and <paramref name="to"/> (≤ 63 days apart).</summary>
    public Task<RmsAnswer> SearchOrderAsync(string baseUrl, RmsCredentials credentials, DateTimeOffset from, DateTimeOffset to, int page, int[] progresses, CancellationToken ct) =>
        PostAsync(baseUrl, credentials, "searchOrder", new JsonObject
        {
            ["dateType"] = 1,
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
    public Task<RmsAnswer> GetOrderAsync(string baseUrl, RmsCredentials credentials, IReadOnlyList<string> numbers, CancellationToken ct) =>
        PostAsync(baseUrl, credentials, "getOrder", new JsonObject
        {
            ["orderNumberList"] = new JsonArray(numbers.Select(n => (JsonNode)n).ToArray()),
            ["version"] = GetOrderVersion,
        }, ct);

    /// <summary>注文確認: up to 100 orders, each answered in the MessageModelList (INFO_101, or ERROR_102 cancelled / 103 not awaiting confirmation).</summary>
    public Task<RmsAnswer> ConfirmOrderAsync(string baseUrl, RmsCredentials credentials, IReadOnlyList<string> numbers, CancellationToken ct) =>
        PostAsync(baseUrl, credentials, "confirmOrder", new JsonObject { ["orderNumberList"] = new JsonArray(numbers.Select(n => (JsonNode)n).ToArray()) }, ct);

    /// <summary>キャンセル申請: <paramref name="reasonCode"/> is an RMS changeReasonDetailApply code; RMS stock is restored (1),
    /// as the platform's next absolute push would set it anyway.</summary>
    public Task<RmsAnswer> CancelOrderAsync(string baseUrl, RmsCredentials credentials, string number, int reasonCode, CancellationToken ct) =>
        PostAsync(baseUrl, credentials, "cancelOrder", new JsonObject
        {
            ["orderNumber"] = number,
            ["inventoryRestoreType"] = 1,
            ["changeReasonDetailApply"] = reasonCode,
        }, ct);

    /// <summary>発送情報の登録: per basket, shipping records (carrier code, number, date); a record with its
    /// shippingDetailId is updated, one without is added. RMS answers per record.</summary>
    public Task<RmsAnswer> UpdateOrderShippingAsync(string baseUrl, RmsCredentials credentials, string number, JsonArray baskets, CancellationToken ct) =>
        PostAsync(baseUrl, credentials, "updateOrderShipping", new JsonObject { ["orderNumber"] = number, ["BasketidModelList"] = baskets }, ct);

    /// <summary>RMS publishes no Order API rate; about one request a second per shop is the practice.</summary>
    private TimeSpan CallSpacing => configuration.GetValue("Platform:RakutenJp:OrderApiSpacing", TimeSpan.FromSeconds(1.05));

    private async Task<RmsAnswer> PostAsync(string baseUrl, RmsCredentials credentials, string function, JsonObject body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var answer = await SpacedAsync(baseUrl + credentials.ServiceSecret, () => SendAsync(baseUrl, credentials, function, body, ct), ct);
            if (answer.Status != HttpStatusCode.TooManyRequests || attempt == 2)
            {
                return answer;
            }

            await Task.Delay(answer.RetryAfter ?? TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>One call at a time per shop, each at least <see cref="CallSpacing"/> after the previous one ended.</summary>
    private async Task<RmsAnswer> SpacedAsync(string shop, Func<Task<RmsAnswer>> call, CancellationToken ct)
    {
        SemaphoreSlim gate;
        lock (_shops)
        {
            if (!_shops.TryGetValue(shop, out var entry))
            {
                _shops[shop] = entry = (new SemaphoreSlim(1, 1), 0);
            }

            gate = entry.Gate;
        }

        var asked = System.Diagnostics.Stopwatch.GetTimestamp();
        await gate.WaitAsync(ct);
        try
        {
            long last;
            lock (_shops) last = _shops[shop].LastCall;
            var wait = CallSpacing - System.Diagnostics.Stopwatch.GetElapsedTime(last);
            if (last != 0 && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }

            PlatformDiagnostics.RecordRateLimitWait(nameof(Contracts.Channel.RakutenJp), "order", System.Diagnostics.Stopwatch.GetElapsedTime(asked));

            try
            {
                return await call();
            }
            finally
            {
                lock (_shops) _shops[shop] = (gate, System.Diagnostics.Stopwatch.GetTimestamp());
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<RmsAnswer> SendAsync(string baseUrl, RmsCredentials credentials, string function, JsonObject body, CancellationToken ct)
    {
        using var client = http.CreateClient("rms");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl.TrimEnd('/')}/es/2.0/order/{function}/")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = credentials.Esa();
        using var response = await client.SendAsync(request.Named($"order.{function}"), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonObject? json = null;
        try
        {
            json = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // A malformed answer (a proxy's page, a cut-off body) is treated as no answer.
        }

        var retryAfter = response.Headers.RetryAfter?.Delta;
        return new RmsAnswer(response.StatusCode, json, retryAfter);
    }
}
