using System.Text.Json.Nodes;
using Rakuten.Platform.Sandbox.Infrastructure;
using Rakuten.Platform.Sandbox.Shopify;

namespace Rakuten.Platform.Sandbox.Control;

/// <summary>A store; <c>Currency</c> is what its prices are in (JPY unless said).</summary>
public sealed record CreateShopifyShop(string Shop, string AccessToken, string WebhookSecret, string? Plan = null, string? Currency = null);

public sealed record ShopifyVariantSpec(string? Sku, decimal Price, decimal? CompareAtPrice = null, string? Barcode = null, int Grams = 0, IReadOnlyList<string>? OptionValues = null,
    IReadOnlyList<SMetafield>? Metafields = null);

public sealed record ShopifyOptionSpec(string Name, IReadOnlyList<string> Values);

/// <summary>A product as the merchant edits it in Shopify's admin.</summary>
public sealed record ShopifyProductSpec(
    string Title, IReadOnlyList<ShopifyVariantSpec> Variants, string? Vendor = null, string? DescriptionHtml = null,
    IReadOnlyList<ShopifyOptionSpec>? Options = null, IReadOnlyList<string>? Images = null, string Status = "ACTIVE", string? ProductType = null,
    IReadOnlyList<string>? Tags = null, IReadOnlyList<string>? Collections = null);

public sealed record SetFulfillmentTracking(string? Company, IReadOnlyList<string>? Numbers);

public sealed record SetShopifyStock(string? Sku, long? InventoryItemId, long? LocationId, int Available);

public sealed record RegisterWebhook(string Topic, string CallbackUrl);

public sealed record ShopifySettingsUpdate(double? BucketSize, double? RestoreRate, bool? ThrottleWith429, double? DuplicateRate, int? MaxDelayMilliseconds, double? RetryScale, int? TimeoutSeconds);

public static class ShopifyControl
{
    public static void Map(RouteGroupBuilder control, SandboxState state)
    {
        var shopify = control.MapGroup("/shopify").WithTags("Control: Shopify");

        shopify.MapPost("/shops", (CreateShopifyShop request) =>
        {
            if (string.IsNullOrWhiteSpace(request.Shop) || string.IsNullOrWhiteSpace(request.AccessToken) || string.IsNullOrWhiteSpace(request.WebhookSecret))
                return Results.BadRequest(new { errors = new[] { "shop, accessToken and webhookSecret are required" } });
            if (request.Currency is { } code && (code.Length != 3 || !code.All(char.IsAsciiLetterUpper)))
                return Results.BadRequest(new { errors = new[] { "currency must be a three-letter ISO 4217 code, e.g. EUR" } });
            lock (state.Sync)
            {
                if (state.ShopifyShops.ContainsKey(request.Shop)) return Results.Conflict(new { errors = new[] { $"shop {request.Shop} exists" } });
                var shop = new ShopifyShop(request.Shop, request.AccessToken, request.WebhookSecret) { Plan = request.Plan ?? "basic", Currency = request.Currency ?? "JPY" };
                var location = new SLocation(state.NextShopifyId++, "Main warehouse");
                shop.Locations[location.Id] = location;
                state.ShopifyShops[shop.Shop] = shop;
                return Results.Created($"/shopify/{shop.Shop}/admin/api/{ShopifyAdminApi.DefaultVersion}/graphql.json",
                    new { shop = shop.Shop, locationId = ShopifyJson.Gid("Location", location.Id) });
            }
        });

        // A file on the store's CDN (a product image), to be named in a product's images by the URL this answers.
        shopify.MapPut("/shops/{shop}/files/{name}", async (HttpContext http, string shop, string name, CancellationToken ct) =>
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, @"^[A-Za-z0-9._-]{1,100}$")) return Results.BadRequest(new { errors = new[] { "name: 1 to 100 of A-Z a-z 0-9 . _ -" } });
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, ct);
            if (body.Length > 8 * 1024 * 1024) return Results.BadRequest(new { errors = new[] { "a file is at most 8 MB here" } });
            var file = new SFile(http.Request.ContentType ?? "application/octet-stream", body.ToArray());
            return WithShop(state, shop, s =>
            {
                s.Files[name] = file;
                return Results.Ok(new { url = $"{http.Request.Scheme}://{http.Request.Host}/shopify-cdn/{shop}/files/{name}" });
            });
        });

        shopify.MapPost("/shops/{shop}/locations", (string shop, JsonObject body) => WithShop(state, shop, s =>
        {
            var location = new SLocation(state.NextShopifyId++, body["name"]?.GetValue<string>() ?? "Warehouse");
            s.Locations[location.Id] = location;
            return Results.Created($"/control/shopify/shops/{shop}/locations", new { id = ShopifyJson.Gid("Location", location.Id), numericId = location.Id });
        }));

        shopify.MapPost("/shops/{shop}/products", (string shop, ShopifyProductSpec spec, WebhookDeliverer webhooks) => WithShop(state, shop, s =>
        {
            var now = state.Clock.GetUtcNow();
            var product = new SProduct { Id = state.NextShopifyId++, Title = spec.Title, CreatedAt = now, UpdatedAt = now };
            Apply(state, product, spec);
            s.Products[product.Id] = product;
            webhooks.Emit(s, "products/create", ShopifyJson.ProductWebhook(s, product));
            return Results.Created($"/control/shopify/shops/{shop}/products/{product.Id}", ShopifyJson.Product(s, product));
        }));

        shopify.MapGet("/shops/{shop}/products", (string shop) => WithShop(state, shop, s =>
            Results.Content(new JsonArray(s.Products.Values.OrderBy(p => p.Id).Select(p => (JsonNode)ShopifyJson.Product(s, p)).ToArray()).ToJsonString(), "application/json")));

        shopify.MapPut("/shops/{shop}/products/{id:long}", (string shop, long id, ShopifyProductSpec spec, WebhookDeliverer webhooks) => WithShop(state, shop, s =>
        {
            if (!s.Products.TryGetValue(id, out var product)) return Results.NotFound();
            Apply(state, product, spec);
            product.UpdatedAt = state.Clock.GetUtcNow();
            webhooks.Emit(s, "products/update", ShopifyJson.ProductWebhook(s, product));
            return Results.Ok(ShopifyJson.Product(s, product));
        }));

        shopify.MapDelete("/shops/{shop}/products/{id:long}", (string shop, long id, WebhookDeliverer webhooks) => WithShop(state, shop, s =>
        {
            if (!s.Products.Remove(id)) return Results.NotFound();
            webhooks.Emit(s, "products/delete", new JsonObject { ["id"] = id });
            return Results.NoContent();
        }));

        // Stock changed in Shopify (a receipt, a count): emits inventory_levels/update.
        shopify.MapPut("/shops/{shop}/inventory", (string shop, SetShopifyStock request, WebhookDeliverer webhooks) => WithShop(state, shop, s =>
        {
            if (Level(s, request) is not { } level) return Results.NotFound(new { errors = new[] { LevelError(s, request) } });
            ShopifyAdminApi.SetLevel(state, s, webhooks, level.Item, level.Location, request.Available);
            return Results.NoContent();
        }));

        // Many levels at once, in order (as inventorySetQuantities takes many): each still emits its own webhook. A load
        // generator sending one request per change cannot outrun the platform on the same machine.
        shopify.MapPut("/shops/{shop}/inventory/batch", (string shop, List<SetShopifyStock> requests, WebhookDeliverer webhooks) => WithShop(state, shop, s =>
        {
            var items = s.Products.Values.SelectMany(p => p.Variants).ToList();
            var levels = new List<(long Item, long Location, int Available)>();
            for (var i = 0; i < requests.Count; i++)
            {
                if (Level(s, requests[i], items) is not { } level) return Results.NotFound(new { errors = new[] { $"[{i}]: {LevelError(s, requests[i])}" } });
                levels.Add((level.Item, level.Location, requests[i].Available));
            }

            foreach (var (item, location, available) in levels) ShopifyAdminApi.SetLevel(state, s, webhooks, item, location, available);
            return Results.NoContent();
        }));

        shopify.MapGet("/shops/{shop}/webhooks", (string shop) => WithShop(state, shop, s =>
            Results.Ok(s.Webhooks.Select(w => new { id = w.Id, topic = w.Topic, callbackUrl = w.CallbackUrl }).ToList())));

        // A subscription Shopify dropped (8 consecutive failures, or removed by hand): the platform must notice and repair it.
        shopify.MapDelete("/shops/{shop}/webhooks/{id:long}", (string shop, long id) => WithShop(state, shop, s =>
            s.Webhooks.RemoveAll(w => w.Id == id) > 0 ? Results.NoContent() : Results.NotFound()));

        shopify.MapPost("/shops/{shop}/webhooks", (string shop, RegisterWebhook request) => WithShop(state, shop, s =>
        {
            if (!Uri.TryCreate(request.CallbackUrl, UriKind.Absolute, out _)) return Results.BadRequest(new { errors = new[] { "callbackUrl must be an absolute URL" } });
            var hook = new SWebhook { Id = state.NextShopifyId++, Topic = request.Topic, CallbackUrl = request.CallbackUrl };
            s.Webhooks.Add(hook);
            return Results.Created($"/control/shopify/shops/{shop}/webhooks", new { id = hook.Id, topic = hook.Topic });
        }));

        // The carrier reports a delivery: Shopify records a fulfilment event and sends fulfillments/update.
        shopify.MapPost("/shops/{shop}/fulfillments/{id:long}/delivered", (string shop, long id, WebhookDeliverer webhooks) => WithShop(state, shop, s =>
        {
            var order = s.Orders.Values.FirstOrDefault(o => o.Fulfillments.Any(f => f.Id == id));
            if (order is null) return Results.NotFound();
            var index = order.Fulfillments.FindIndex(f => f.Id == id);
            var delivered = order.Fulfillments[index] with { Status = "DELIVERED" };
            order.Fulfillments[index] = delivered;
            var now = state.Clock.GetUtcNow();
            webhooks.Emit(s, "fulfillments/update", new JsonObject
            {
                ["id"] = id, ["order_id"] = order.Id, ["status"] = "success", ["shipment_status"] = "delivered",
                ["tracking_company"] = delivered.Company, ["tracking_numbers"] = new JsonArray(delivered.Numbers.Select(n => (JsonNode)n).ToArray()),
                ["updated_at"] = ShopifyJson.Time(now),
            });
            return Results.Ok(new { id, shipmentStatus = "delivered" });
        }));

        // The merchant corrects a fulfilment's tracking in Shopify's admin: fulfillments/update with the new numbers.
        shopify.MapPost("/shops/{shop}/fulfillments/{id:long}/tracking", (string shop, long id, SetFulfillmentTracking request, WebhookDeliverer webhooks) => WithShop(state, shop, s =>
        {
            var order = s.Orders.Values.FirstOrDefault(o => o.Fulfillments.Any(f => f.Id == id));
            if (order is null) return Results.NotFound();
            if (request.Numbers is not { Count: > 0 }) return Results.BadRequest(new { errors = new[] { "numbers: at least one tracking number" } });
            var index = order.Fulfillments.FindIndex(f => f.Id == id);
            var corrected = order.Fulfillments[index] with { Numbers = [.. request.Numbers], Company = request.Company ?? order.Fulfillments[index].Company };
            order.Fulfillments[index] = corrected;
            webhooks.Emit(s, "fulfillments/update", new JsonObject
            {
                ["id"] = id, ["order_id"] = order.Id, ["status"] = "success",
                ["tracking_company"] = corrected.Company, ["tracking_numbers"] = new JsonArray(corrected.Numbers.Select(n => (JsonNode)n).ToArray()),
                ["updated_at"] = ShopifyJson.Time(state.Clock.GetUtcNow()),
            });
            return Results.Ok(new { id, numbers = corrected.Numbers });
        }));

        shopify.MapGet("/shops/{shop}/orders", (string shop) => WithShop(state, shop, s =>
            Results.Content(new JsonArray(s.Orders.Values.OrderBy(o => o.Id).Select(o => (JsonNode)ShopifyJson.Order(o)).ToArray()).ToJsonString(), "application/json")));

        shopify.MapGet("/shops/{shop}/inventory", (string shop) => WithShop(state, shop, s =>
            Results.Ok(s.Levels.Select(l => new
            {
                inventoryItemId = l.Key.Item, locationId = l.Key.Location, available = l.Value,
                sku = s.Products.Values.SelectMany(p => p.Variants).FirstOrDefault(v => v.InventoryItemId == l.Key.Item)?.Sku,
            }))));

        shopify.MapGet("/webhook-deliveries", (WebhookDeliverer webhooks) =>
        {
            lock (state.Sync)
            {
                return Results.Ok(webhooks.Attempts.ToList());
            }
        });

        shopify.MapPut("/settings", (ShopifySettingsUpdate request) =>
        {
            lock (state.Sync)
            {
                var s = state.Shopify;
                if (request.BucketSize is { } b and > 0) s.BucketSize = b;
                if (request.RestoreRate is { } r and > 0) s.RestoreRate = r;
                if (request.ThrottleWith429 is { } t) s.ThrottleWith429 = t;
                if (request.DuplicateRate is { } d and >= 0 and <= 1) s.Webhooks.DuplicateRate = d;
                if (request.MaxDelayMilliseconds is { } m and >= 0) s.Webhooks.MaxDelayMilliseconds = m;
                if (request.RetryScale is { } k and > 0) s.Webhooks.RetryScale = k;
                if (request.TimeoutSeconds is { } o and > 0) s.Webhooks.TimeoutSeconds = o;
                return Results.Ok(s);
            }
        });
    }

    private static void Apply(SandboxState state, SProduct product, ShopifyProductSpec spec)
    {
        product.Title = spec.Title;
        product.Vendor = spec.Vendor;
        product.ProductType = spec.ProductType;
        product.Tags = [.. spec.Tags ?? []];
        product.Collections = [.. spec.Collections ?? []];
        product.DescriptionHtml = spec.DescriptionHtml;
        product.Status = spec.Status;
        product.Options = (spec.Options ?? []).Select(o => new SOption(o.Name, [.. o.Values])).ToList();
        product.Images = [.. spec.Images ?? []];
        // Variants keep their ids (and inventory items) when their SKU stays; new ones get new ids.
        var previous = product.Variants;
        product.Variants = spec.Variants.Select(v =>
        {
            var existing = previous.FirstOrDefault(p => p.Sku == v.Sku && v.Sku is not null);
            var variant = existing ?? new SVariant { Id = state.NextShopifyId++, InventoryItemId = state.NextShopifyId++ };
            variant.Sku = v.Sku;
            variant.Price = v.Price;
            variant.CompareAtPrice = v.CompareAtPrice;
            variant.Barcode = v.Barcode;
            variant.Grams = v.Grams;
            variant.OptionValues = [.. v.OptionValues ?? []];
            variant.Metafields = [.. v.Metafields ?? []];
            variant.Title = v.OptionValues is { Count: > 0 } values ? string.Join(" / ", values) : "Default Title";
            return variant;
        }).ToList();
    }

    private static IResult WithShop(SandboxState state, string shop, Func<ShopifyShop, IResult> action)
    {
        lock (state.Sync)
        {
            return state.ShopifyShops.TryGetValue(shop, out var s)
                ? action(s)
                : Results.NotFound(new { errors = new[] { $"no Shopify shop {shop}: create it with POST /control/shopify/shops" } });
        }
    }

    private static (long Item, long Location)? Level(ShopifyShop s, SetShopifyStock request, IReadOnlyList<SVariant>? variants = null)
    {
        var variant = (variants ?? s.Products.Values.SelectMany(p => p.Variants))
            .FirstOrDefault(v => (request.InventoryItemId is { } item && v.InventoryItemId == item) || (request.Sku is not null && v.Sku == request.Sku));
        var location = request.LocationId ?? s.Locations.Keys.Min();
        return variant is null || !s.Locations.ContainsKey(location) ? null : (variant.InventoryItemId, location);
    }

    private static string LevelError(ShopifyShop s, SetShopifyStock request) =>
        request.LocationId is { } location && !s.Locations.ContainsKey(location) ? $"no location {location}" : "no variant with that sku or inventoryItemId";
}
