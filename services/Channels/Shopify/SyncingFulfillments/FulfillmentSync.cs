using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Channels.Shopify.SyncingFulfillments;

/// <summary>A fulfilment of a Shopify order the platform created, as last reported.</summary>
public sealed class FulfillmentRow
{
    public required Guid ConnectionId { get; init; }

    public required string FulfillmentId { get; init; }

    public required string ShopifyOrderId { get; init; }

    /// <summary>The shipment status when Shopify has one (in_transit, delivered…), else the fulfilment's (success, cancelled).</summary>
    public required string Status { get; set; }

    public string? Company { get; set; }

    public required string Numbers { get; set; }

    public required string Urls { get; set; }

    public required string Lines { get; set; }

    public required DateTimeOffset ShippedAt { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public required long Version { get; set; }
}

/// <summary>fulfillments/create and fulfillments/update webhooks → FulfillmentReported, for orders the platform exported
/// only (a merchant's own Shopify orders are none of its business). Deliveries are ordered by the fulfilment's own
/// updated_at (signed with the body; never the unsigned X-Shopify-Triggered-At): an older one changes nothing, except
/// that the lines — only create carries them — are taken whenever they are missing.</summary>
public static class FulfillmentSync
{
    public static async Task StageAsync(ShopifyDbContext db, ConnectionRecord connection, JsonObject body, DateTimeOffset receivedAt, DateTimeOffset now, CancellationToken ct)
    {
        var id = body["id"]!.ToJsonString().Trim('"');
        var orderGid = $"gid://shopify/Order/{body["order_id"]!.ToJsonString().Trim('"')}";
        var export = await db.OrderExports.AsNoTracking().FirstOrDefaultAsync(e => e.ConnectionId == connection.Id && e.ShopifyOrderId == orderGid, ct);
        if (export is null)
        {
            return;
        }

        // Days after the order, still the order's trace; the webhook's own request is linked.
        using var span = Traces.Continue(export.TraceParent, "shopify fulfilment");
        span?.SetTag("platform.order_id", export.OrderId);
        var updatedAt = Time(body["updated_at"]) ?? Time(body["created_at"]) ?? receivedAt;
        var status = Text(body["shipment_status"]) ?? Text(body["status"]) ?? "success";
        var lines = (body["line_items"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(l => new ShippedLine(Text(l["sku"]), l["id"]?.ToJsonString().Trim('"'), l["quantity"]?.GetValue<int>() ?? 0)).Where(l => l.Quantity > 0).ToList();
        // create and update of one fulfilment can come in the same batch: the first one's row is not saved yet.
        var row = db.Fulfillments.Local.FirstOrDefault(f => f.ConnectionId == connection.Id && f.FulfillmentId == id)
                  ?? await db.Fulfillments.FirstOrDefaultAsync(f => f.ConnectionId == connection.Id && f.FulfillmentId == id, ct);
        var changed = false;
        if (row is null)
        {
            row = new FulfillmentRow
            {
                ConnectionId = connection.Id, FulfillmentId = id, ShopifyOrderId = orderGid, Status = status, Numbers = "[]", Urls = "[]", Lines = "[]",
                ShippedAt = Time(body["created_at"]) ?? updatedAt, UpdatedAt = DateTimeOffset.MinValue, Version = 0,
            };
            db.Fulfillments.Add(row);
        }

        if (updatedAt >= row.UpdatedAt)
        {
            row.UpdatedAt = updatedAt;
            row.Status = status;
            row.Company = Text(body["tracking_company"]) ?? row.Company;
            if (Strings(body, "tracking_numbers", "tracking_number") is { Count: > 0 } numbers) row.Numbers = JsonSerializer.Serialize(numbers);
            if (Strings(body, "tracking_urls", "tracking_url") is { Count: > 0 } urls) row.Urls = JsonSerializer.Serialize(urls);
            changed = true;
        }

        if (lines.Count > 0 && row.Lines == "[]")
        {
            row.Lines = JsonSerializer.Serialize(lines);
            changed = true;
        }

        if (!changed)
        {
            return;
        }

        row.Version++;
        db.AddToOutbox(new FulfillmentReported(export.TenantId, connection.Id, orderGid, id, row.Status, row.Company,
            JsonSerializer.Deserialize<List<string>>(row.Numbers)!, JsonSerializer.Deserialize<List<string>>(row.Urls)!,
            JsonSerializer.Deserialize<List<ShippedLine>>(row.Lines)!, row.ShippedAt, row.Version, now));
    }

    private static List<string> Strings(JsonObject body, string many, string one) =>
        body[many] is JsonArray list && list.Count > 0 ? list.Select(n => n?.GetValue<string>()).OfType<string>().Where(s => s.Length > 0).ToList()
        : Text(body[one]) is { Length: > 0 } single ? [single] : [];

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static DateTimeOffset? Time(JsonNode? node) =>
        Text(node) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null;
}
