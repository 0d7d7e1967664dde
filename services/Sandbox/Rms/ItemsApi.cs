using System.Text;
using System.Text.Json.Nodes;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary>Items API 2.0 (reference/rakuten-jp-rms.md §6): items keyed by a lower-cased manage number,
/// PUT replaces the whole item, PATCH replaces the fields (and lists) it names, bulk-get reads up to 50.
/// No rate is published for this API: the Sandbox assumes 5 calls per second per shop over all items
/// functions (<c>PUT /control/rms/settings {"itemsApiPerSecond": n}</c>, 0 = unlimited), answering 429 beyond it.</summary>
public static class ItemsApi
{
    public static void Map(RouteGroupBuilder rms, SandboxState state)
    {
        const string item = "/es/2.0/items/manage-numbers/{manageNumber}";
        rms.MapGet(item, (HttpContext http, string manageNumber) => Run(http, state, "items.get", (shop, _) => Get(shop, manageNumber), false));
        rms.MapPut(item, (HttpContext http, string manageNumber) => Run(http, state, "items.upsert", (shop, body) => Upsert(state, shop, manageNumber, body, patch: false)));
        rms.MapPatch(item, (HttpContext http, string manageNumber) => Run(http, state, "items.patch", (shop, body) => Upsert(state, shop, manageNumber, body, patch: true)));
        rms.MapDelete(item, (HttpContext http, string manageNumber) => Run(http, state, "items.delete", (shop, _) => Delete(shop, manageNumber), false));
        rms.MapGet("/es/2.0/items/search", (HttpContext http, CancellationToken _) => Run(http, state, "items.search", (shop, _) => Search(shop, http.Request.Query), false));
        rms.MapPost("/es/2.0/items/bulk-get", (HttpContext http, CancellationToken _) => Run(http, state, "items.bulk-get", (shop, body) => BulkGet(shop, body)));
    }

    private static Task<IResult> Run(HttpContext http, SandboxState state, string endpoint, Func<RmsShop, JsonObject, IResult> handle, bool readsBody = true) =>
        new ApiCall(RmsGateway.Api, endpoint).RunAsync(http, state, RmsGateway.Authenticate(state, orderApi: false),
            RmsGateway.GatewayError(false, endpoint), ("items-api", state.RmsItemsApiPerSecond), (shop, body) => handle(state.RmsShops[shop], body as JsonObject ?? []), readsBody);

    private static IResult Get(RmsShop shop, string manageNumber) =>
        ManageNumber(manageNumber, "manageNumber", out var key) ?? (shop.Items.TryGetValue(key, out var item)
            ? new JsonAnswer(200, Json(key, item))
            : new JsonAnswer(404, RmsGateway.Errors("GE0014", $"Not found for inputs; manageNumber={key}")));

    public static IResult Upsert(SandboxState state, RmsShop shop, string manageNumber, JsonObject body, bool patch)
    {
        if (ManageNumber(manageNumber, "manageNumber", out var key) is { } bad)
        {
            return bad;
        }

        shop.Items.TryGetValue(key, out var existing);
        if (patch && existing is null)
        {
            return new JsonAnswer(404, RmsGateway.Errors("GE0014", $"Not found for inputs; manageNumber={key}"));
        }

        var next = patch ? (JsonObject)existing!.Body.DeepClone() : [];
        foreach (var (name, value) in body)
        {
            if (name is "manageNumber" or "created" or "updated")
            {
                continue;
            }

            next[name] = value?.DeepClone();
        }

        if (Validate(next) is { } invalid)
        {
            return invalid;
        }

        var now = state.Clock.GetUtcNow();
        if (existing is null)
        {
            shop.Items[key] = new RmsItem(next, shop.NextItemId++, now);
            // The manage number is returned only for a new registration (reference §6); 201 vs 204 is unverified.
            return new JsonAnswer(201, new JsonObject { ["manageNumber"] = key });
        }

        existing.Body = next;
        existing.Updated = now;
        return new JsonAnswer(204, null);
    }

    private static IResult Delete(RmsShop shop, string manageNumber) =>
        ManageNumber(manageNumber, "manageNumber", out var key) ?? (shop.Items.Remove(key)
            ? new JsonAnswer(204, null)
            : new JsonAnswer(404, RmsGateway.Errors("GE0014", $"Not found for inputs; manageNumber={key}")));

    /// <summary>items.search (reference §6, A.2): <c>hits</c> 1..100 (default 10), either <c>offset</c> 0..10000 or
    /// <c>cursorMark</c> (<c>*</c> first, then the answer's <c>nextCursorMark</c>; the walk ends when it comes back
    /// unchanged). The Sandbox's cursor is the last manage number returned, so items added or removed during a walk
    /// are seen or not as a real index would; searches are immediate here (RMS takes up to 24 h).</summary>
    private static IResult Search(RmsShop shop, IQueryCollection query)
    {
        static JsonAnswer Bad(string code, string message, string path) => new(400, RmsGateway.Errors(code, message, path));
        var hits = 10;
        if (query["hits"].FirstOrDefault() is { } h && (!int.TryParse(h, out hits) || hits is < 1 or > 100))
            return Bad("IE0002", "hits must be between 1 and 100.", "hits");
        var cursor = query["cursorMark"].FirstOrDefault();
        var offsetText = query["offset"].FirstOrDefault();
        if (cursor is not null && (offsetText is not null || query.ContainsKey("sortKey") || query.ContainsKey("sortOrder")))
            return Bad("IE0008", "cursorMark cannot be used with offset, sortKey or sortOrder.", "cursorMark");
        var offset = 0;
        if (offsetText is not null && (!int.TryParse(offsetText, out offset) || offset is < 0 or > 10_000))
            return Bad("IE0002", "offset must be between 0 and 10000.", "offset");

        IEnumerable<KeyValuePair<string, RmsItem>> items = shop.Items.OrderBy(i => i.Key, StringComparer.Ordinal);
        if (query["merchantDefinedSkuId"].FirstOrDefault() is { Length: > 0 } sku)
            items = items.Where(i => (i.Value.Body["variants"] as JsonObject ?? []).Any(v => (v.Value?["merchantDefinedSkuId"]?.GetValue<string>() ?? "").Contains(sku, StringComparison.Ordinal)));
        var all = items.ToList();
        var json = new JsonObject { ["numFound"] = all.Count, ["offset"] = cursor is null ? offset : 0 };
        List<KeyValuePair<string, RmsItem>> page;
        if (cursor is null)
        {
            page = all.Skip(offset).Take(hits).ToList();
        }
        else
        {
            string? after = null;
            if (cursor != "*")
            {
                try
                {
                    after = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
                }
                catch (FormatException)
                {
                    return Bad("IE0002", $"cursorMark has an invalid value : {cursor}.", "cursorMark");
                }
            }

            page = all.Where(i => after is null || string.CompareOrdinal(i.Key, after) > 0).Take(hits).ToList();
            json["nextCursorMark"] = page.Count == 0 ? cursor : Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Key));
        }

        json["results"] = new JsonArray(page.Select(i => (JsonNode)new JsonObject { ["item"] = Json(i.Key, i.Value) }).ToArray());
        return new JsonAnswer(200, json);
    }

    private static IResult BulkGet(RmsShop shop, JsonObject body)
    {
        if (body["manageNumbers"] is not JsonArray list || list.Count is 0 or > 50)
        {
            return new JsonAnswer(400, RmsGateway.Errors("IE0003", "manageNumbers must contain between 1 and 50 elements.", "manageNumbers"));
        }

        var keys = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            var raw = list[i] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            if (ManageNumber(raw, $"manageNumbers[{i}]", out var key) is { } bad)
            {
                return bad;
            }

            if (keys.Contains(key))
            {
                return new JsonAnswer(400, RmsGateway.Errors("IE1106", $"manageNumbers has a duplicate value : {key}.", $"manageNumbers[{i}]"));
            }

            keys.Add(key);
        }

        // Unknown manage numbers are left out, not reported (reference §6).
        var results = keys.Where(shop.Items.ContainsKey).Select(k => (JsonNode)Json(k, shop.Items[k])).ToArray();
        return new JsonAnswer(200, new JsonObject { ["results"] = new JsonArray(results) });
    }

    public static JsonObject Json(string manageNumber, RmsItem item)
    {
        var json = new JsonObject { ["manageNumber"] = manageNumber };
        foreach (var (name, value) in item.Body)
        {
            json[name] = value?.DeepClone();
        }

        json["created"] = RmsGateway.JstIso(item.Created);
        json["updated"] = RmsGateway.JstIso(item.Updated);
        return json;
    }

    private static IResult? ManageNumber(string value, string path, out string key)
    {
        key = value.ToLowerInvariant();
        if (string.IsNullOrEmpty(value))
        {
            return new JsonAnswer(400, RmsGateway.Errors("IE0001", "manageNumber is required.", path));
        }

        if (Encoding.UTF8.GetByteCount(value) > 32)
        {
            return new JsonAnswer(400, RmsGateway.Errors("IE0004", "Max length of manageNumber must be within 32 bytes.", path));
        }

        return InventoryApi.Identifier().IsMatch(value)
            ? null
            : new JsonAnswer(400, RmsGateway.Errors("IE0002", $"manageNumber has an invalid value : {value}.", path));
    }

    /// <summary>The item rules the platform relies on: required fields, the item types, variantSelectors (≤6, each
    /// 1..40 values), variants (1..400, keyed by a ≤32-byte case-sensitive id), standard price as a string.</summary>
    private static JsonAnswer? Validate(JsonObject item)
    {
        static JsonAnswer Bad(string code, string message, string path) => new(400, RmsGateway.Errors(code, message, path));
        static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        if (Text(item["title"]) is not { Length: > 0 } title) return Bad("IE0001", "title is required.", "title");
        if (title.Length > 255) return Bad("IE0004", "Max length of title must be within 255 characters.", "title");
        if (Text(item["itemType"]) is not ("NORMAL" or "PRE_ORDER" or "BUYING_CLUB"))
            return Bad("IE0002", $"itemType has an invalid value : {item["itemType"]?.ToJsonString() ?? "null"}.", "itemType");
        if (item["genreId"] is null) return Bad("IE0001", "genreId is required.", "genreId");
        if (item["hideItem"] is { } hide && hide.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
            return Bad("IE0002", "hideItem has an invalid value.", "hideItem");
        if (item["images"] is JsonArray images && images.Count > 20) return Bad("IE0003", "images must contain at most 20 elements.", "images");

        var selectors = item["variantSelectors"] as JsonArray ?? [];
        if (selectors.Count > 6) return Bad("IE0003", "variantSelectors must contain at most 6 elements.", "variantSelectors");
        var selectorValues = new Dictionary<string, HashSet<string>>();
        for (var i = 0; i < selectors.Count; i++)
        {
            var selector = selectors[i] as JsonObject ?? [];
            var keyName = Text(selector["key"]);
            if (string.IsNullOrEmpty(keyName) || selectorValues.ContainsKey(keyName))
                return Bad("IE0002", "variantSelectors key must be present and unique.", $"variantSelectors[{i}].key");
            if (Text(selector["displayName"]) is not { Length: > 0 and <= 32 })
                return Bad("IE0004", "displayName must be 1 to 32 characters.", $"variantSelectors[{i}].displayName");
            var values = selector["values"] as JsonArray ?? [];
            if (values.Count is 0 or > 40)
                return Bad("IE0003", "values must contain between 1 and 40 elements.", $"variantSelectors[{i}].values");
            selectorValues[keyName] = values.Select(v => Text(v?["displayValue"]) ?? "").ToHashSet();
        }

        if (item["variants"] is not JsonObject variants || variants.Count is 0 or > 400)
            return Bad("IE0003", "variants must contain between 1 and 400 elements.", "variants");
        foreach (var (variantId, node) in variants)
        {
            var path = $"variants.{variantId}";
            if (Encoding.UTF8.GetByteCount(variantId) > 32) return Bad("IE0004", "Max length of variantId must be within 32 bytes.", path);
            if (!InventoryApi.Identifier().IsMatch(variantId)) return Bad("IE0002", $"variantId has an invalid value : {variantId}.", path);
            var variant = node as JsonObject ?? [];
            if (Text(variant["merchantDefinedSkuId"]) is { Length: > 96 })
                return Bad("IE0004", "Max length of merchantDefinedSkuId must be within 96 characters.", $"{path}.merchantDefinedSkuId");
            if (Text(item["itemType"]) is "NORMAL" or "PRE_ORDER")
            {
                var price = Text(variant["standardPrice"]);
                if (price is null || !long.TryParse(price, out var p) || p is < 0 or > 999_999_999)
                    return Bad("IE0002", "standardPrice must be a string of 0 to 999999999.", $"{path}.standardPrice");
            }

            if (selectorValues.Count > 0)
            {
                var chosen = variant["selectorValues"] as JsonObject ?? [];
                foreach (var (selectorKey, allowed) in selectorValues)
                {
                    if (Text(chosen[selectorKey]) is not { } value || !allowed.Contains(value))
                        return Bad("IE0002", $"selectorValues.{selectorKey} must be one of the selector's values.", $"{path}.selectorValues.{selectorKey}");
                }
            }
        }

        return null;
    }
}
