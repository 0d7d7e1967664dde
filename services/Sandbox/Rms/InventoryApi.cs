using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary>Inventory API 2.0 (reference/rakuten-jp-rms.md §5): bulk-upsert ≤400 at 1 request/s, bulk-get
/// ≤1,000 at 5 requests/s, single variants at 1 request/s; errors as <c>{"errors":[{code,message,metadata}]}</c>.</summary>
public static partial class InventoryApi
{
    public static void Map(RouteGroupBuilder rms, SandboxState state)
    {
        rms.MapPost("/es/2.0/inventories/bulk-upsert", (HttpContext http, CancellationToken _) =>
            Run(http, state, "inventory.bulk-upsert", ("inventory-bulk-upsert", 1), (shop, body) => BulkUpsert(state, shop, body)));
        rms.MapPost("/es/2.0/inventories/bulk-get", (HttpContext http, CancellationToken _) =>
            Run(http, state, "inventory.bulk-get", ("inventory-bulk-get", 5), (shop, body) => BulkGet(shop, body)));
        const string variant = "/es/2.0/inventories/manage-numbers/{manageNumber}/variants/{variantId}";
        rms.MapGet(variant, (HttpContext http, string manageNumber, string variantId) =>
            Run(http, state, "inventory.variants.get", ("inventory-variants-get", 1), (shop, _) => GetVariant(shop, manageNumber, variantId), readsBody: false));
        rms.MapPut(variant, (HttpContext http, string manageNumber, string variantId) =>
            Run(http, state, "inventory.variants.upsert", ("inventory-variants-upsert", 1), (shop, body) => PutVariant(state, shop, manageNumber, variantId, body)));
        rms.MapDelete(variant, (HttpContext http, string manageNumber, string variantId) =>
            Run(http, state, "inventory.variants.delete", ("inventory-variants-delete", 1), (shop, _) => DeleteVariant(shop, manageNumber, variantId), readsBody: false));
    }

    private static Task<IResult> Run(HttpContext http, SandboxState state, string endpoint, (string, int) limit,
        Func<RmsShop, JsonObject, IResult> handle, bool readsBody = true) =>
        new ApiCall(RmsGateway.Api, endpoint).RunAsync(http, state, RmsGateway.Authenticate(state, orderApi: false),
            RmsGateway.GatewayError(false, endpoint), limit, (shop, body) => handle(state.RmsShops[shop], body as JsonObject ?? []), readsBody);

    private static IResult BulkUpsert(SandboxState state, RmsShop shop, JsonObject body)
    {
        if (body["inventories"] is not JsonArray list || list.Count is 0 or > 400)
        {
            return Bad("IE0003", "inventories must contain between 1 and 400 elements.", "inventories");
        }

        // All or nothing: every entry is checked before any quantity changes.
        var changes = new List<((string, string) Key, int Quantity)>();
        var pending = new Dictionary<(string, string), int>();
        for (var i = 0; i < list.Count; i++)
        {
            var entry = list[i] as JsonObject ?? [];
            var path = $"inventories[{i}]";
            if (Key(entry, path, out var key) is { } keyError)
            {
                return keyError;
            }

            var mode = entry["mode"] is JsonValue m && m.TryGetValue<string>(out var ms) ? ms : null;
            if (mode is not ("ABSOLUTE" or "RELATIVE"))
            {
                return Bad("IE0002", $"mode has an invalid value : {entry["mode"]?.ToJsonString() ?? "null"}.", $"{path}.mode");
            }

            if (entry["quantity"] is not JsonValue q || !q.TryGetValue<int>(out var quantity))
            {
                return Bad("IE0002", $"quantity has an invalid value : {entry["quantity"]?.ToJsonString() ?? "null"}.", $"{path}.quantity");
            }

            var current = pending.TryGetValue(key, out var p) ? p : shop.Inventory.TryGetValue(key, out var record) ? record.Quantity : (int?)null;
            if (current is null && mode == "RELATIVE")
            {
                return Bad("IE0105", "mode must be ABSOLUTE to register a new inventory.", $"{path}.mode");
            }

            if (mode == "ABSOLUTE" && quantity is < 0 or > 99999)
            {
                return Bad("IE0003", "quantity must be between 0 and 99999.", $"{path}.quantity");
            }

            var next = mode == "ABSOLUTE" ? quantity : current!.Value + quantity;
            if (next is < 0 or > 99999)
            {
                return Bad("IE0003", "quantity must be between 0 and 99999.", $"{path}.quantity");
            }

            pending[key] = next;
            changes.Add((key, next));
        }

        var now = state.Clock.GetUtcNow();
        foreach (var (key, quantity) in changes)
        {
            Set(shop, key, quantity, now);
        }

        return new JsonAnswer(204, null);
    }

    private static IResult BulkGet(RmsShop shop, JsonObject body)
    {
        if (body["inventories"] is not JsonArray list || list.Count is 0 or > 1000)
        {
            return Bad("IE0003", "inventories must contain between 1 and 1000 elements.", "inventories");
        }

        var found = new JsonArray();
        for (var i = 0; i < list.Count; i++)
        {
            if (Key(list[i] as JsonObject ?? [], $"inventories[{i}]", out var key) is { } keyError)
            {
                return keyError;
            }

            if (Visible(shop, key) && shop.Inventory.TryGetValue(key, out var record))
            {
                found.Add(Json(key, record));
            }
        }

        return new JsonAnswer(200, new JsonObject { ["inventories"] = found });
    }

    private static IResult GetVariant(RmsShop shop, string manageNumber, string variantId)
    {
        var entry = new JsonObject { ["manageNumber"] = manageNumber, ["variantId"] = variantId };
        if (Key(entry, null, out var key) is { } keyError)
        {
            return keyError;
        }

        return Visible(shop, key) && shop.Inventory.TryGetValue(key, out var record)
            ? new JsonAnswer(200, Json(key, record))
            : NotFound(key);
    }

    private static IResult PutVariant(SandboxState state, RmsShop shop, string manageNumber, string variantId, JsonObject body)
    {
        body["manageNumber"] = manageNumber;
        body["variantId"] = variantId;
        return BulkUpsert(state, shop, new JsonObject { ["inventories"] = new JsonArray(body.DeepClone()) }) is JsonAnswer { Status: 400 } bad
            ? new JsonAnswer(400, StripIndex(bad.Body!))
            : new JsonAnswer(204, null);
    }

    private static IResult DeleteVariant(RmsShop shop, string manageNumber, string variantId)
    {
        if (Key(new JsonObject { ["manageNumber"] = manageNumber, ["variantId"] = variantId }, null, out var key) is { } keyError)
        {
            return keyError;
        }

        return shop.Inventory.Remove(key) ? new JsonAnswer(204, null) : NotFound(key);
    }

    public static void Set(RmsShop shop, (string, string) key, int quantity, DateTimeOffset now)
    {
        if (shop.Inventory.TryGetValue(key, out var record))
        {
            record.Quantity = quantity;
            record.Updated = now;
        }
        else
        {
            shop.Inventory[key] = new RmsInventory(quantity, now);
        }
    }

    /// <summary>Stock of an unknown item or variant is stored, but cannot be seen (reference §5: an orphan).</summary>
    private static bool Visible(RmsShop shop, (string ManageNumber, string VariantId) key) =>
        shop.Items.TryGetValue(key.ManageNumber, out var item) && item.Body["variants"] is JsonObject variants && variants.ContainsKey(key.VariantId);

    public static JsonObject Json((string ManageNumber, string VariantId) key, RmsInventory record) => new()
    {
        ["manageNumber"] = key.ManageNumber,
        ["variantId"] = key.VariantId,
        ["quantity"] = record.Quantity,
        ["created"] = RmsGateway.JstIso(record.Created),
        ["updated"] = RmsGateway.JstIso(record.Updated),
    };

    /// <summary>manageNumber: ≤32 bytes of <c>[A-Za-z0-9_-]</c>, lower-cased; variantId: the same, case-sensitive.</summary>
    private static IResult? Key(JsonObject entry, string? path, out (string ManageNumber, string VariantId) key)
    {
        key = default;
        string Path(string field) => path is null ? field : $"{path}.{field}";
        var manage = entry["manageNumber"] is JsonValue mv && mv.TryGetValue<string>(out var m) ? m : null;
        var variant = entry["variantId"] is JsonValue vv && vv.TryGetValue<string>(out var v) ? v : null;
        foreach (var (field, value) in new[] { ("manageNumber", manage), ("variantId", variant) })
        {
            if (string.IsNullOrEmpty(value))
            {
                return Bad("IE0001", $"{field} is required.", Path(field));
            }

            if (Encoding.UTF8.GetByteCount(value) > 32)
            {
                return Bad("IE0004", $"Max length of {field} must be within 32 bytes.", Path(field));
            }

            if (!Identifier().IsMatch(value))
            {
                return Bad("IE0002", $"{field} has an invalid value : {value}.", Path(field));
            }
        }

        key = (manage!.ToLowerInvariant(), variant!);
        return null;
    }

    private static JsonAnswer Bad(string code, string message, string path) => new(400, RmsGateway.Errors(code, message, path));

    private static JsonAnswer NotFound((string ManageNumber, string VariantId) key) =>
        new(404, RmsGateway.Errors("GE0014", $"Not found for inputs; manageNumber={key.ManageNumber}, variantId={key.VariantId}"));

    private static JsonNode StripIndex(JsonNode body)
    {
        foreach (var error in body["errors"]!.AsArray())
        {
            if (error?["metadata"]?["propertyPath"] is JsonValue p)
            {
                error["metadata"]!["propertyPath"] = p.GetValue<string>().Replace("inventories[0].", "");
            }
        }

        return body;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    public static partial Regex Identifier();
}
