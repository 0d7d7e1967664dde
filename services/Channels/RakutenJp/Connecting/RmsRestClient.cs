using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenJp.Connecting;

/// <summary>How an RMS 2.0 REST call (Items, Inventory) ended: its status, its JSON body, and RMS's first error as
/// data with the property it names — <c>{"errors":[{"code","message","metadata":{"propertyPath"}}]}</c>.</summary>
public sealed record RmsRestAnswer(HttpStatusCode Status, JsonObject? Body, ChannelError? Error, string? PropertyPath)
{
    public bool Ok => (int)Status is >= 200 and < 300;
}

/// <summary>The RMS 2.0 REST APIs' common ground: the ESA header, the per-shop rate gate, a 429 waited out after
/// its Retry-After (five times at most, each retry on a fresh slot), and RMS's error envelope read as data.</summary>
public sealed class RmsRestClient(IHttpClientFactory http, RmsRateGate gate)
{
    /// <param name="perSecond">The API's rate per shop; 0 when the caller already took its slot.</param>
    /// <param name="spacedFromAnswer">For a caller that sends one call at a time: the next call's second counts from
    /// this call's answer, since under load RMS may handle a request well after it left.</param>
    public async Task<RmsRestAnswer> SendAsync(Guid connectionId, string bucket, int perSecond, HttpMethod method, string url,
        RmsCredentials credentials, JsonObject? body, CancellationToken ct, bool spacedFromAnswer = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            await gate.WaitAsync(connectionId, bucket, attempt > 0 ? Math.Max(perSecond, 1) : perSecond, ct);
            using var client = http.CreateClient("rms");
            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            request.Headers.Authorization = credentials.Esa();
            using var response = await client.SendAsync(request.Named(OperationOf(method, url)), ct);
            if (spacedFromAnswer)
            {
                gate.Restamp(connectionId, bucket);
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 5)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), ct);
                continue;
            }

            var text = await response.Content.ReadAsStringAsync(ct);
            JsonObject? json = null;
            try
            {
                json = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
            }
            catch (System.Text.Json.JsonException)
            {
                // Not an RMS envelope (a proxy page, a cut-off body): the status says enough.
            }

            if (json?["errors"] is JsonArray { Count: > 0 } errors && errors[0] is JsonObject first)
            {
                var path = first["metadata"]?["propertyPath"]?.GetValue<string>();
                var message = first["message"]?.GetValue<string>() ?? "";
                return new RmsRestAnswer(response.StatusCode, json,
                    new ChannelError(first["code"]?.GetValue<string>() ?? "UNKNOWN", path is null ? message : $"{message} ({path})"), path);
            }

            return new RmsRestAnswer(response.StatusCode, json, null, null);
        }
    }

    /// <summary>The call as ops read it: the API resource and its bulk action or method (<c>inventories.bulk-upsert</c>,
    /// <c>items.put</c>) — never the manage number, which would make a series per item.</summary>
    public static string OperationOf(HttpMethod method, string url)
    {
        var path = new Uri(url).AbsolutePath;
        var at = path.IndexOf("/es/", StringComparison.Ordinal);
        var segments = path[(at < 0 ? 0 : at + 4)..].Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray(); // past the version
        if (segments.Length == 0)
        {
            return method.Method.ToLowerInvariant();
        }

        return segments[^1].StartsWith("bulk", StringComparison.Ordinal) ? $"{segments[0]}.{segments[^1]}" : $"{segments[0]}.{method.Method.ToLowerInvariant()}";
    }
}
