using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>One RMS call: which connection it is made for (null: a check before the connection exists), what it is for
/// ops (<c>order.getOrder</c>, <c>inventories.bulk-upsert</c>), the API's published rate, and whether it may be sent again
/// after a failure (every read; a write that sets absolute values).</summary>
public sealed record RmsCall(Guid? ConnectionId, HttpMethod Method, string Operation, RateLimit? Limit, bool Idempotent, bool Probe = false, RateSlot? Slot = null);

/// <summary>What RMS answered: status, body, and whether the call was not made because the connection's circuit is open
/// (RMS answered 503 to the last calls: a maintenance window).</summary>
public sealed record RmsResponse(HttpStatusCode Status, string Body, bool Paused = false)
{
    public bool Ok => (int)Status is >= 200 and < 300;

    public JsonObject? Json()
    {
        try
        {
            return Body.Length > 0 ? JsonNode.Parse(Body) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not an RMS answer (a proxy's page, a cut-off body): the status says enough.
            return null;
        }
    }
}

/// <summary>The one HTTP path to RMS (the Order API, Items and Inventory 2.0, ShopAPI, License Management): the ESA
/// header, the connection's resilience pipeline (MarketplacePipeline: rate, retries, circuit, timeouts) and RMS's rates
/// (reference/rakuten-jp-rms.md §3.8, §5, §6). The use-case clients (orders, items, inventory) shape the bodies and read
/// the answers; none of them sends anything itself.</summary>
public sealed class RmsClient(IHttpClientFactory http, IConfiguration configuration)
{
    public const string HttpClient = "rms";

    /// <summary>RMS publishes no Order API rate; "about one request a second per shop" is its guideline (§3.8), counted
    /// from the previous answer since the order functions are used one call at a time.</summary>
    public RateLimit? OrderApi => configuration.GetValue("Platform:RakutenJp:OrderApiSpacing", TimeSpan.FromSeconds(1)) is { } spacing && spacing > TimeSpan.Zero
        ? new RateLimit("order", 1, spacing, FromAnswer: true)
        : null;

    /// <summary>No published Items API rate (§6); 5 a second per shop is this platform's assumption, matched by the Sandbox.</summary>
    public RateLimit? ItemsApi => configuration.GetValue("Platform:RakutenJp:ItemsApiPerSecond", 5) is var rate and > 0 ? RateLimit.PerSecond("items", rate) : null;

    /// <summary>Inventory API 2.0 (§5): bulk-upsert 1 call a second per shop, bulk-get 5; each counted from its answer.</summary>
    public static readonly RateLimit InventoryUpsert = RateLimit.PerSecond("inventory-bulk-upsert", 1, fromAnswer: true);

    public static readonly RateLimit InventoryGet = RateLimit.PerSecond("inventory-bulk-get", 5, fromAnswer: true);

    public Task<RmsResponse> SendAsync(RmsCall call, string url, RmsCredentials credentials, JsonObject? body, CancellationToken ct) =>
        SendContentAsync(call, url, credentials, body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), ct);

    /// <summary>A call with any body: CabinetAPI's XML and multipart requests.</summary>
    public async Task<RmsResponse> SendContentAsync(RmsCall call, string url, RmsCredentials credentials, HttpContent? content, CancellationToken ct)
    {
        using var client = http.CreateClient(HttpClient);
        using var request = new HttpRequestMessage(call.Method, url);
        request.Content = content;

        request.Headers.Authorization = credentials.Esa();
        request.Named(call.Operation).For(call.ConnectionId, call.Limit, call.Slot).Retryable(call.Idempotent);
        if (call.Probe)
        {
            request.AsProbe();
        }

        try
        {
            using var response = await client.SendAsync(request, ct);
            return new RmsResponse(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }
        catch (MarketplaceUnavailableException)
        {
            // The circuit is open: to the flows this is the 503 RMS gave the calls before it, retried at their next round.
            return new RmsResponse(HttpStatusCode.ServiceUnavailable, "", Paused: true);
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
