using System.Net;
using System.Text.Json.Nodes;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.PublishingItems;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

public sealed record RmsStockEntry(string ManageNumber, string VariantId, int Quantity);

/// <summary>How a bulk call ended: done, or RMS's first error (with the index of the entry it names, when it names one).</summary>
public sealed record RmsStockAnswer(HttpStatusCode Status, ChannelError? Error, int? EntryIndex, IReadOnlyList<RmsStockEntry> Found)
{
    public bool Ok => (int)Status is >= 200 and < 300;
}

/// <summary>Inventory API 2.0 (reference/rakuten-jp-rms.md §5): bulk-upsert ≤ 400 entries, all or nothing, at most
/// 1 call per second per shop; bulk-get ≤ 1,000 keys, 5 per second. Only managed (<c>v_</c>) items are written.</summary>
public sealed partial class RmsInventoryClient(RmsClient rms, [FromKeyedServices(RmsClient.HttpClient)] RateBudget budget)
{
    public const int MaxUpsert = 400;
    public const int MaxGet = 1000;

    /// <summary>ABSOLUTE quantities (required for a SKU RMS has never had stock for; RELATIVE would also drift) — which also
    /// makes the call safe to send again after a failure.</summary>
    /// <param name="slot">The slot the caller already waited for (<see cref="WaitForUpsertSlotAsync"/>).</param>
    /// <param name="adopted">Whether a manage number without <c>v_</c> is one the merchant asked the platform to drive.</param>
    public Task<RmsStockAnswer> BulkUpsertAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, IReadOnlyList<RmsStockEntry> entries, CancellationToken ct,
        RateSlot? slot = null, Func<string, bool>? adopted = null)
    {
        if (entries.FirstOrDefault(e => !RmsItemMapping.IsManaged(e.ManageNumber) && adopted?.Invoke(e.ManageNumber) != true) is { } foreign)
        {
            throw new InvalidOperationException($"Refusing to write stock of RMS item '{foreign.ManageNumber}': it is not managed by the platform.");
        }

        return SendAsync(new RmsCall(connectionId, HttpMethod.Post, "inventories.bulk-upsert", RmsClient.InventoryUpsert, Idempotent: true, Slot: slot),
            baseUrl, credentials, "bulk-upsert", new JsonObject
            {
                ["inventories"] = new JsonArray(entries.Select(e => (JsonNode)new JsonObject
                {
                    ["manageNumber"] = e.ManageNumber, ["variantId"] = e.VariantId, ["mode"] = "ABSOLUTE", ["quantity"] = e.Quantity,
                }).ToArray()),
            }, ct);
    }

    /// <summary>Waits until a bulk-upsert may go (1 per second per shop, whichever replica sends it). A caller that gathers
    /// its batch after this wait sends everything that changed while it waited, not only what was pending before.</summary>
    public async Task<RateSlot> WaitForUpsertSlotAsync(Guid connectionId, CancellationToken ct)
    {
        var (slot, waited) = await budget.TakeAsync(connectionId.ToString(), RmsClient.InventoryUpsert, ct);
        BuildingBlocks.Hosting.PlatformDiagnostics.RecordRateLimitWait(nameof(Contracts.Channel.RakutenJp), RmsClient.InventoryUpsert.Api, waited);
        return slot;
    }

    public Task<RmsStockAnswer> BulkGetAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, IReadOnlyList<(string ManageNumber, string VariantId)> keys, CancellationToken ct) =>
        SendAsync(new RmsCall(connectionId, HttpMethod.Post, "inventories.bulk-get", RmsClient.InventoryGet, Idempotent: true), baseUrl, credentials, "bulk-get", new JsonObject
        {
            ["inventories"] = new JsonArray(keys.Select(k => (JsonNode)new JsonObject { ["manageNumber"] = k.ManageNumber, ["variantId"] = k.VariantId }).ToArray()),
        }, ct);

    private async Task<RmsStockAnswer> SendAsync(RmsCall call, string baseUrl, RmsCredentials credentials, string function, JsonObject body, CancellationToken ct)
    {
        var answer = RmsRestAnswer.Of(await rms.SendAsync(call, $"{baseUrl.TrimEnd('/')}/es/2.0/inventories/{function}", credentials, body, ct));
        var index = answer.PropertyPath is { } path && EntryIndex().Match(path) is { Success: true } m
            ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : (int?)null;
        var found = (answer.Body?["inventories"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(i => new RmsStockEntry(i["manageNumber"]!.GetValue<string>(), i["variantId"]!.GetValue<string>(), i["quantity"]?.GetValue<int>() ?? 0)).ToList();
        return new RmsStockAnswer(answer.Status, answer.Error, index, found);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^inventories\[(\d+)\]")]
    private static partial System.Text.RegularExpressions.Regex EntryIndex();
}
