using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenJp.PublishingItems;

/// <summary>How an Items API call ended: done, refused by RMS (its first error, as data), or not answered.</summary>
public sealed record RmsItemAnswer(HttpStatusCode Status, ChannelError? Error)
{
    public bool Ok => (int)Status is >= 200 and < 300;

    public bool NotFound => Status == HttpStatusCode.NotFound;

    /// <summary>RMS looked at the request and said no (4xx with an error envelope): retrying the same request will not help.</summary>
    public bool Refused => Error is not null && (int)Status is >= 400 and < 500 and not 401 and not 404 and not 429;
}

/// <summary>Items API 2.0 (reference/rakuten-jp-rms.md §6): upsert (PUT, full replacement), patch, delete, each
/// spaced by <see cref="RmsRateGate"/> and retried after a 429. It refuses outright to write any item whose
/// manage number does not begin with <c>v_</c>: those are the merchant's own (seed rule).</summary>
public sealed class RmsItemClient(IHttpClientFactory http, RmsRateGate gate, IConfiguration configuration)
{
    /// <summary>RMS publishes no Items API rate (reference §6); 5 calls per second per shop is this platform's
    /// assumption, matched by the Sandbox and adjustable here.</summary>
    private int PerSecond => configuration.GetValue("Platform:RakutenJp:ItemsApiPerSecond", 5);

    public Task<RmsItemAnswer> UpsertAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string manageNumber, JsonObject item, CancellationToken ct) =>
        SendAsync(connectionId, baseUrl, credentials, HttpMethod.Put, manageNumber, item, ct);

    public Task<RmsItemAnswer> PatchAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string manageNumber, JsonObject fields, CancellationToken ct) =>
        SendAsync(connectionId, baseUrl, credentials, HttpMethod.Patch, manageNumber, fields, ct);

    public Task<RmsItemAnswer> DeleteAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string manageNumber, CancellationToken ct) =>
        SendAsync(connectionId, baseUrl, credentials, HttpMethod.Delete, manageNumber, null, ct);

    private async Task<RmsItemAnswer> SendAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, HttpMethod method,
        string manageNumber, JsonObject? body, CancellationToken ct)
    {
        if (!RmsItemMapping.IsManaged(manageNumber))
        {
            throw new InvalidOperationException($"Refusing to write RMS item '{manageNumber}': only items whose manage number begins with '{RmsItemMapping.ManagedPrefix}' are managed by the platform.");
        }

        for (var attempt = 0; ; attempt++)
        {
            await gate.WaitAsync(connectionId, "items", PerSecond, ct);
            using var client = http.CreateClient("rms");
            using var request = new HttpRequestMessage(method, $"{baseUrl.TrimEnd('/')}/es/2.0/items/manage-numbers/{Uri.EscapeDataString(manageNumber)}");
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            request.Headers.Authorization = credentials.Esa();
            using var response = await client.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 5)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), ct);
                continue;
            }

            return new RmsItemAnswer(response.StatusCode, FirstError(await response.Content.ReadAsStringAsync(ct)));
        }
    }

    /// <summary>RMS 2.0 REST errors: <c>{"errors":[{"code","message","metadata":{"propertyPath"}}]}</c>.</summary>
    private static ChannelError? FirstError(string text)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject { } json && json["errors"] is JsonArray { Count: > 0 } errors && errors[0] is JsonObject first)
            {
                var path = first["metadata"]?["propertyPath"]?.GetValue<string>();
                var message = first["message"]?.GetValue<string>() ?? "";
                return new ChannelError(first["code"]?.GetValue<string>() ?? "UNKNOWN", path is null ? message : $"{message} ({path})");
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not an RMS envelope (a proxy page, an empty body): the status alone tells the caller what happened.
        }

        return null;
    }
}
