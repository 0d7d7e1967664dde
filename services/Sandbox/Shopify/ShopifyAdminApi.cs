using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Shopify;

/// <summary>Shopify Admin GraphQL (reference/shopify.md §B): <c>POST /shopify/{shop}/admin/api/{version}/graphql.json</c>
/// with X-Shopify-Access-Token, a cost-based leaky bucket reported in <c>extensions.cost</c>, and the operations
/// a marketplace connector needs. Anything else answers a GraphQL error naming the field.</summary>
public static partial class ShopifyAdminApi
{
    public const string Api = "shopify";
    public const string DefaultVersion = "2026-01";

    private delegate JsonNode? Operation(Context c, JsonObject args);

    private sealed record Context(SandboxState State, ShopifyShop Shop, string Version, GraphQlOperation Op, WebhookDeliverer Webhooks, List<JsonObject> Errors);

    private static readonly Dictionary<string, (string Kind, Operation Run)> Operations = new()
    {
        ["shop"] = ("query", (c, _) => new JsonObject
        {
            ["name"] = c.Shop.Shop, ["myshopifyDomain"] = $"{c.Shop.Shop}.myshopify.com", ["currencyCode"] = c.Shop.Currency,
            ["plan"] = new JsonObject { ["displayName"] = c.Shop.Plan },
        }),
        ["products"] = ("query", (c, a) => ShopifyJson.Connection(c.Shop.Products.Values.OrderBy(p => p.Id).ToList(), a, p => ShopifyJson.Product(c.Shop, p))),
        // Admin API 2024-04+: the count with its precision (EXACT up to the default limit of 10,000).
        ["productsCount"] = ("query", (c, _) => new JsonObject { ["count"] = c.Shop.Products.Count, ["precision"] = "EXACT" }),
        ["product"] = ("query", (c, a) => ShopifyJson.IdOf(a["id"], "Product") is { } id && c.Shop.Products.TryGetValue(id, out var p) ? ShopifyJson.Product(c.Shop, p) : null),
        ["productVariants"] = ("query", (c, a) =>
        {
            var sku = a["query"]?.GetValue<string>() is { } q && SkuFilter().Match(q) is { Success: true } m ? m.Groups[1].Value : null;
            var variants = c.Shop.Products.Values.OrderBy(p => p.Id).SelectMany(p => p.Variants.Select(v => (p, v)))
                .Where(x => sku is null || x.v.Sku == sku).ToList();
            return ShopifyJson.Connection(variants, a, x => ShopifyJson.Variant(c.Shop, x.p, x.v));
        }),
        ["inventoryItem"] = ("query", (c, a) =>
        {
            var id = ShopifyJson.IdOf(a["id"], "InventoryItem");
            var variant = c.Shop.Products.Values.SelectMany(p => p.Variants).FirstOrDefault(v => v.InventoryItemId == id);
            return variant is null ? null : ShopifyJson.InventoryItem(c.Shop, variant);
        }),
        ["locations"] = ("query", (c, a) => ShopifyJson.Connection(c.Shop.Locations.Values.OrderBy(l => l.Id).ToList(), a,
            l => new JsonObject { ["id"] = ShopifyJson.Gid("Location", l.Id), ["name"] = l.Name })),
        ["orders"] = ("query", (c, a) =>
        {
            var tag = a["query"]?.GetValue<string>() is { } q && TagFilter().Match(q) is { Success: true } m ? m.Groups[1].Value.Trim('\'', '"') : null;
            return ShopifyJson.Connection(c.Shop.Orders.Values.Where(o => tag is null || o.Tags.Contains(tag)).OrderBy(o => o.Id).ToList(), a, o => ShopifyJson.Order(o));
        }),
        ["order"] = ("query", (c, a) => ShopifyJson.IdOf(a["id"], "Order") is { } id && c.Shop.Orders.TryGetValue(id, out var o) ? ShopifyJson.Order(o) : null),
        ["fulfillmentOrders"] = ("query", (c, a) => ShopifyJson.Connection(
            c.Shop.Orders.Values.OrderBy(o => o.Id).Select(o => ShopifyJson.Order(o)["fulfillmentOrders"]!["nodes"]![0]!)
                .Where(fo => a["includeClosed"]?.GetValue<bool>() == true || fo["status"]!.GetValue<string>() == "OPEN").ToList(),
            a, fo => fo.DeepClone())),
        ["inventorySetQuantities"] = ("mutation", Inventory.Set),
        ["inventoryAdjustQuantities"] = ("mutation", Inventory.Adjust),
        ["orderCreate"] = ("mutation", Orders.Create),
        ["orderCancel"] = ("mutation", Orders.Cancel),
        ["fulfillmentCreate"] = ("mutation", Orders.Fulfil),
        ["tagsAdd"] = ("mutation", Orders.AddTags),
        ["orderEditBegin"] = ("mutation", OrderEdits.Begin),
        ["orderEditSetQuantity"] = ("mutation", OrderEdits.SetQuantity),
        ["orderEditAddVariant"] = ("mutation", OrderEdits.AddVariant),
        ["orderEditCommit"] = ("mutation", OrderEdits.Commit),
        ["fulfillmentOrderHold"] = ("mutation", (c, a) => Orders.Hold(c, a, hold: true)),
        ["fulfillmentOrderReleaseHold"] = ("mutation", (c, a) => Orders.Hold(c, a, hold: false)),
        ["webhookSubscriptionCreate"] = ("mutation", (c, a) =>
        {
            var enumTopic = a["topic"]?.GetValue<string>() ?? "";
            var topic = TopicOf(enumTopic);
            // uri (2025-10) or the deprecated callbackUrl; every URI userError names callbackUrl (reference C.1).
            var input = a["webhookSubscription"] as JsonObject;
            var url = (input?["uri"] ?? input?["callbackUrl"])?.GetValue<string>()?.Trim();
            if (string.IsNullOrEmpty(url))
            {
                return Payload("webhookSubscription", null, UserError(["webhookSubscription", "callbackUrl"], "Address can't be blank"));
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                return Payload("webhookSubscription", null, UserError(["webhookSubscription", "callbackUrl"], "Address is invalid"));
            }

            // Create is not idempotent: the same topic and address again is refused (list to find the existing one).
            if (c.Shop.Webhooks.Any(w => w.Topic == topic && w.CallbackUrl == url))
            {
                return Payload("webhookSubscription", null, UserError(["webhookSubscription", "callbackUrl"], "Address for this topic has already been taken"));
            }

            var hook = new SWebhook { Id = c.State.NextShopifyId++, Topic = topic, CallbackUrl = url };
            c.Shop.Webhooks.Add(hook);
            return Payload("webhookSubscription", Subscription(hook));
        }),
        ["webhookSubscriptionDelete"] = ("mutation", (c, a) =>
        {
            var id = ShopifyJson.IdOf(a["id"], "WebhookSubscription");
            var hook = c.Shop.Webhooks.FirstOrDefault(w => w.Id == id);
            if (hook is null)
            {
                return Payload("deletedWebhookSubscriptionId", null, UserError(["id"], "Webhook subscription does not exist"));
            }

            c.Shop.Webhooks.Remove(hook);
            return Payload("deletedWebhookSubscriptionId", ShopifyJson.Gid("WebhookSubscription", hook.Id));
        }),
        ["webhookSubscriptions"] = ("query", (c, a) => ShopifyJson.Connection(c.Shop.Webhooks.OrderBy(w => w.Id).ToList(), a, Subscription)),
        ["productSet"] = ("mutation", (c, a) => ProductSet.Run(c.State, c.Shop, c.Webhooks, a)),
    };

    public static void Map(RouteGroupBuilder group, SandboxState state)
    {
        group.MapPost("/{shop}/admin/api/{version}/graphql.json", async (HttpContext http, string shop, string version, WebhookDeliverer webhooks) =>
        {
            var result = await HandleAsync(http, state, shop, version, webhooks);
            state.Calls.Record(Api, "graphql", shop, result.Status);
            return result;
        });
    }

    private static async Task<JsonAnswer> HandleAsync(HttpContext http, SandboxState state, string shopName, string version, WebhookDeliverer webhooks)
    {
        ShopifyShop? shop;
        lock (state.Sync)
        {
            state.ShopifyShops.TryGetValue(shopName, out shop);
        }

        if (shop is null)
        {
            return new JsonAnswer(404, new JsonObject { ["errors"] = "Not Found" });
        }

        if (await state.Faults.NextAsync(Api, "graphql", shopName, http.RequestAborted) is { } fault)
        {
            switch (fault.Kind)
            {
                case FaultKind.RateLimited:
                    return new JsonAnswer(429, new JsonObject { ["errors"] = "Exceeded rate limit" },
                        new Dictionary<string, string> { ["Retry-After"] = fault.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture) });
                case FaultKind.Maintenance:
                    return new JsonAnswer(503, new JsonObject { ["errors"] = "Service Unavailable" });
                case FaultKind.Timeout:
                    await Faults.HoldAsync(fault, http.RequestAborted);

                    return new JsonAnswer(504, null);
                case FaultKind.Malformed:
                    // A body that is not JSON at all, as a proxy's error page would be.
                    return new JsonAnswer(200, JsonValue.Create("<html><body>Bad gateway</body></html>"));
                default:
                    return new JsonAnswer(500, new JsonObject { ["errors"] = "Internal Server Error" });
            }
        }

        if (http.Request.Headers["X-Shopify-Access-Token"].ToString() != shop.AccessToken)
        {
            return new JsonAnswer(401, new JsonObject { ["errors"] = "[API] Invalid API key or access token (unrecognized login or wrong password)" });
        }

        if (!ApiVersion().IsMatch(version) || string.CompareOrdinal(version, "2024-10") < 0 || string.CompareOrdinal(version, "2026-10") > 0)
        {
            return new JsonAnswer(404, new JsonObject { ["errors"] = $"Not Found: API version {version} is not supported (2024-10 … 2026-10)." });
        }

        JsonObject body;
        GraphQlOperation op;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject ?? [];
            op = GraphQlOperation.Parse(body["query"]?.GetValue<string>() ?? "", body["variables"] as JsonObject ?? []);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return new JsonAnswer(400, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["message"] = $"Parse error: {ex.Message}" }) });
        }

        lock (state.Sync)
        {
            var unknown = op.Fields.FirstOrDefault(f => !Operations.TryGetValue(f.Name, out var o) || o.Kind != op.Kind);
            if (unknown is not null)
            {
                var root = op.Kind == "mutation" ? "Mutation" : "QueryRoot";
                return new JsonAnswer(200, new JsonObject
                {
                    ["errors"] = new JsonArray(new JsonObject
                    {
                        ["message"] = $"Field '{unknown.Name}' doesn't exist on type '{root}' (the Sandbox does not support it)",
                        ["extensions"] = new JsonObject { ["code"] = "undefinedField", ["typeName"] = root, ["fieldName"] = unknown.Name },
                    }),
                });
            }

            var cost = op.Fields.Sum(f => op.Kind == "mutation" ? 10 : f.Arguments["first"] is { } first ? 2 + (int)first.GetValue<long>() : 1);
            var available = Refill(state, shop);
            if (cost > available)
            {
                var extensions = Cost(state, cost, 0, available);
                var errors = new JsonArray(new JsonObject { ["message"] = "Throttled", ["extensions"] = new JsonObject { ["code"] = "THROTTLED" } });
                var wait = Math.Ceiling((cost - available) / state.Shopify.RestoreRate);
                return state.Shopify.ThrottleWith429
                    ? new JsonAnswer(429, new JsonObject { ["errors"] = errors, ["extensions"] = extensions },
                        new Dictionary<string, string> { ["Retry-After"] = wait.ToString("0.0", CultureInfo.InvariantCulture) })
                    : new JsonAnswer(200, new JsonObject { ["errors"] = errors, ["extensions"] = extensions });
            }

            shop.BucketAvailable = available - cost;
            var context = new Context(state, shop, version, op, webhooks, []);
            var data = new JsonObject();
            foreach (var field in op.Fields)
            {
                data[field.Alias] = Operations[field.Name].Run(context, field.Arguments);
            }

            var answer = new JsonObject { ["data"] = data, ["extensions"] = Cost(state, cost, cost, shop.BucketAvailable) };
            if (context.Errors.Count > 0)
            {
                answer["errors"] = new JsonArray(context.Errors.Select(e => (JsonNode)e).ToArray());
            }

            return new JsonAnswer(200, answer);
        }
    }

    private static double Refill(SandboxState state, ShopifyShop shop)
    {
        var now = state.Clock.GetUtcNow();
        if (shop.BucketAvailable < 0)
        {
            shop.BucketAvailable = state.Shopify.BucketSize;
        }
        else
        {
            shop.BucketAvailable = Math.Min(state.Shopify.BucketSize, shop.BucketAvailable + (now - shop.BucketUpdated).TotalSeconds * state.Shopify.RestoreRate);
        }

        shop.BucketUpdated = now;
        return shop.BucketAvailable;
    }

    private static JsonObject Cost(SandboxState state, int requested, int actual, double available) => new()
    {
        ["cost"] = new JsonObject
        {
            ["requestedQueryCost"] = requested,
            ["actualQueryCost"] = actual,
            ["throttleStatus"] = new JsonObject
            {
                ["maximumAvailable"] = state.Shopify.BucketSize,
                ["currentlyAvailable"] = Math.Floor(available),
                ["restoreRate"] = state.Shopify.RestoreRate,
            },
        },
    };

    /// <summary>PRODUCTS_CREATE → products/create, INVENTORY_LEVELS_UPDATE → inventory_levels/update.</summary>
    private static string TopicOf(string enumTopic) => TopicFix().Replace(enumTopic.ToLowerInvariant().Replace('_', '/'), "$1_$2");

    private static JsonObject Subscription(SWebhook hook) => new()
    {
        ["id"] = ShopifyJson.Gid("WebhookSubscription", hook.Id),
        ["topic"] = hook.Topic.ToUpperInvariant().Replace('/', '_'),
        ["uri"] = hook.CallbackUrl,
        ["endpoint"] = new JsonObject { ["__typename"] = "WebhookHttpEndpoint", ["callbackUrl"] = hook.CallbackUrl },
    };

    internal static JsonObject Payload(string name, JsonNode? value, params JsonObject[] userErrors) =>
        new() { [name] = value, ["userErrors"] = new JsonArray(userErrors.Select(e => (JsonNode)e).ToArray()) };

    internal static JsonObject UserError(string[] field, string message, string? code = null)
    {
        var error = new JsonObject { ["field"] = new JsonArray(field.Select(f => (JsonNode)f).ToArray()), ["message"] = message };
        if (code is not null)
        {
            error["code"] = code;
        }

        return error;
    }

    [GeneratedRegex(@"^\d{4}-(01|04|07|10)$")]
    private static partial Regex ApiVersion();

    [GeneratedRegex(@"sku:['""]?([^'""\s]+)['""]?")]
    private static partial Regex SkuFilter();

    [GeneratedRegex(@"tag:(\S+)")]
    private static partial Regex TagFilter();

    [GeneratedRegex(@"^(inventory)/(levels)")]
    private static partial Regex TopicFix();
}
