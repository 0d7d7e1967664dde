using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.PublishingItems;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenJp.PushingStock;

public sealed record RmsStockEntry(string ManageNumber, string VariantId, int Quantity);

/// <summary>How a bulk call ended: done, or RMS's first error (with the index of the entry it names, when it names one).</summary>
public sealed record RmsStockAnswer(HttpStatusCode Status, ChannelError? Error, int? EntryIndex, IReadOnlyList<RmsStockEntry> Found)
{
    public bool Ok => (int)Status is >= 200 and < 300;
}

/// <summary>Inventory API 2.0 (reference/rakuten-jp-rms.md §5): bulk-upsert ≤ 400 entries, all or nothing, at most
/// 1 call per second per shop; bulk-get ≤ 1,000 keys, 5 per second. Only managed (<c>v_</c>) items are written.</summary>
public sealed partial class RmsInventoryClient(IHttpClientFactory http, RmsRateGate gate)
{
    public const int MaxUpsert = 400;
    public const int MaxGet = 1000;

    /// <summary>ABSOLUTE quantities (required for a SKU RMS has never had stock for; RELATIVE would also drift).</summary>
    /// <param name="slotTaken">The caller already waited for this call's slot (<see cref="WaitForUpsertSlotAsync"/>).</param>
    public Task<RmsStockAnswer> BulkUpsertAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, IReadOnlyList<RmsStockEntry> entries, CancellationToken ct,
        bool slotTaken = false)
    {
        if (entries.FirstOrDefault(e => !RmsItemMapping.IsManaged(e.ManageNumber)) is { } foreign)
        {
            throw new InvalidOperationException($"Refusing to write stock of RMS item '{foreign.ManageNumber}': it is not managed by the platform.");
        }

        if (slotTaken)
        {
            gate.Restamp(connectionId, UpsertBucket); // the batch was gathered after the slot: count the second from now
        }

        return SendAsync(connectionId, UpsertBucket, slotTaken ? 0 : 1, baseUrl, credentials, "bulk-upsert", new JsonObject
        {
            ["inventories"] = new JsonArray(entries.Select(e => (JsonNode)new JsonObject
            {
                ["manageNumber"] = e.ManageNumber, ["variantId"] = e.VariantId, ["mode"] = "ABSOLUTE", ["quantity"] = e.Quantity,
            }).ToArray()),
        }, ct);
    }

    /// <summary>Waits until a bulk-upsert may go (1 per second per shop). A caller that gathers its batch after
    /// this wait sends everything that changed while it waited, not only what was pending before.</summary>
    public Task WaitForUpsertSlotAsync(Guid connectionId, CancellationToken ct) => gate.WaitAsync(connectionId, UpsertBucket, 1, ct);

    private const string UpsertBucket = "inventory-bulk-upsert";

    public Task<RmsStockAnswer> BulkGetAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, IReadOnlyList<(string ManageNumber, string VariantId)> keys, CancellationToken ct) =>
        SendAsync(connectionId, "inventory-bulk-get", 5, baseUrl, credentials, "bulk-get", new JsonObject
        {
            ["inventories"] = new JsonArray(keys.Select(k => (JsonNode)new JsonObject { ["manageNumber"] = k.ManageNumber, ["variantId"] = k.VariantId }).ToArray()),
        }, ct);

    private async Task<RmsStockAnswer> SendAsync(Guid connectionId, string bucket, int perSecond, string baseUrl, RmsCredentials credentials, string function,
        JsonObject body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            // A retry after a 429 always waits for a fresh slot.
            await gate.WaitAsync(connectionId, bucket, attempt > 0 ? Math.Max(perSecond, 1) : perSecond, ct);
            using var client = http.CreateClient("rms");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl.TrimEnd('/')}/es/2.0/inventories/{function}") { Content = JsonContent.Create(body) };
            request.Headers.Authorization = credentials.Esa();
            using var response = await client.SendAsync(request, ct);
            // Under load RMS may handle a request well after it left: the next one's second counts from the answer,
            // so two calls can never be handled closer than the rate allows.
            gate.Restamp(connectionId, bucket);
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
                // not an RMS envelope: the status says enough
            }

            ChannelError? error = null;
            int? index = null;
            if (json?["errors"] is JsonArray { Count: > 0 } errors && errors[0] is JsonObject first)
            {
                var path = first["metadata"]?["propertyPath"]?.GetValue<string>();
                error = new ChannelError(first["code"]?.GetValue<string>() ?? "UNKNOWN", $"{first["message"]?.GetValue<string>()}{(path is null ? "" : $" ({path})")}");
                index = path is not null && EntryIndex().Match(path) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
            }

            var found = (json?["inventories"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(i => new RmsStockEntry(i["manageNumber"]!.GetValue<string>(), i["variantId"]!.GetValue<string>(), i["quantity"]?.GetValue<int>() ?? 0)).ToList();
            return new RmsStockAnswer(response.StatusCode, error, index, found);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^inventories\[(\d+)\]")]
    private static partial System.Text.RegularExpressions.Regex EntryIndex();
}
