using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
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
/// <c>yyyy-MM-ddTHH:mm:ss+0900</c> with no colon in the offset (RMS refuses +09:00 with ERROR_011).</summary>
public sealed class RmsOrderClient(IHttpClientFactory http)
{
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

    private async Task<RmsAnswer> PostAsync(string baseUrl, RmsCredentials credentials, string function, JsonObject body, CancellationToken ct)
    {
        using var client = http.CreateClient("rms");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl.TrimEnd('/')}/es/2.0/order/{function}/")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = credentials.Esa();
        using var response = await client.SendAsync(request, ct);
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
