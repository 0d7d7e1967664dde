using System.Text.Json.Nodes;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Shopify;

/// <summary><c>productSet(input, identifier, synchronous)</c> (reference/shopify.md C.6): with <c>identifier.handle</c> an upsert
/// by handle, without one always a new product (a taken handle gets a numeric suffix); the variants given replace the
/// product's. Validation and userErrors as the reference captured them.</summary>
internal static class ProductSet
{
    public static JsonObject Run(SandboxState state, ShopifyShop shop, WebhookDeliverer webhooks, JsonObject args)
    {
        var input = args["input"] as JsonObject ?? [];
        var identifier = args["identifier"] as JsonObject;
        if (identifier is not null && input["id"] is not null)
        {
            return Error(["input", "id"], "The id field is not allowed if identifier is provided.", "ID_NOT_ALLOWED");
        }

        var handle = identifier?["handle"]?.GetValue<string>();
        if (handle is not null && input["handle"]?.GetValue<string>() is { } given && given != handle)
        {
            return Error(["input", "handle"], "The input handle does not match the identifier.", "INPUT_MISMATCH");
        }

        var title = input["title"]?.GetValue<string>()?.Trim();
        if (string.IsNullOrEmpty(title)) return Error(["input", "title"], "Title can't be blank", "BLANK");
        if (title.Length > 255) return Error(["input", "title"], "Title is too long (maximum is 255 characters)", "TOO_LONG");
        var options = (input["productOptions"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(o => new SOption(o["name"]?.GetValue<string>() ?? "", (o["values"] as JsonArray ?? []).Select(v => v?["name"]?.GetValue<string>() ?? "").ToList())).ToList();
        if (options.Count > 3) return Error(["input", "productOptions"], "Products can have at most 3 options", "INVALID");
        if (input["variants"] is not JsonArray variants || variants.Count == 0)
        {
            return Error(["input", "variants"], "Variants input is required when updating product options", "INVALID");
        }

        var specs = new List<(string? Sku, decimal Price, decimal? CompareAt, string? Barcode, List<string> Values)>();
        for (var i = 0; i < variants.Count; i++)
        {
            var v = variants[i] as JsonObject ?? [];
            var values = (v["optionValues"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(o => o["optionName"]?.GetValue<string>() ?? "", o => o["name"]?.GetValue<string>() ?? "");
            var ordered = options.Select(o => values.GetValueOrDefault(o.Name) ?? "").ToList();
            if (specs.Any(s => s.Values.SequenceEqual(ordered)))
            {
                return Error(["input", "variants", i.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                    $"The variant '{string.Join(" / ", ordered)}' already exists. Please change at least one option value.", "INVALID_VARIANT");
            }

            decimal? Number(string name) => v[name] is { } n && decimal.TryParse(n.ToString(), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null;
            specs.Add((v["sku"]?.GetValue<string>(), Number("price") ?? 0, Number("compareAtPrice"), v["barcode"]?.GetValue<string>(), ordered));
        }

        var now = state.Clock.GetUtcNow();
        var product = handle is null ? null : shop.Products.Values.FirstOrDefault(p => p.Handle == handle);
        var created = product is null;
        if (product is null)
        {
            var wanted = handle ?? input["handle"]?.GetValue<string>() ?? Slug(title);
            product = new SProduct { Id = state.NextShopifyId++, Title = title, CreatedAt = now, UpdatedAt = now };
            product.Handle = shop.Products.Values.Any(p => p.Handle == wanted) ? $"{wanted}-{now.ToUnixTimeMilliseconds()}" : wanted;
            shop.Products[product.Id] = product;
        }

        product.Title = title;
        product.Vendor = input["vendor"]?.GetValue<string>() ?? product.Vendor ?? shop.Shop;
        product.DescriptionHtml = input["descriptionHtml"]?.GetValue<string>() ?? product.DescriptionHtml;
        product.ProductType = input["productType"]?.GetValue<string>() ?? product.ProductType;
        product.Status = input["status"]?.GetValue<string>() ?? product.Status;
        product.Options = options;
        var previous = product.Variants;
        product.Variants = specs.Select(s =>
        {
            var variant = previous.FirstOrDefault(p => p.Sku == s.Sku && s.Sku is not null) ?? new SVariant { Id = state.NextShopifyId++, InventoryItemId = state.NextShopifyId++ };
            (variant.Sku, variant.Price, variant.CompareAtPrice, variant.Barcode, variant.OptionValues) = (s.Sku, s.Price, s.CompareAt, s.Barcode, s.Values);
            variant.Title = s.Values.Count > 0 ? string.Join(" / ", s.Values) : "Default Title";
            return variant;
        }).ToList();
        product.UpdatedAt = now;
        webhooks.Emit(shop, created ? "products/create" : "products/update", ShopifyJson.ProductWebhook(shop, product));
        return ShopifyAdminApi.Payload("product", new JsonObject
        {
            ["id"] = ShopifyJson.Gid("Product", product.Id), ["handle"] = product.Handle, ["title"] = product.Title, ["status"] = product.Status,
        });
    }

    private static JsonObject Error(string[] field, string message, string code) => ShopifyAdminApi.Payload("product", null, ShopifyAdminApi.UserError(field, message, code));

    private static string Slug(string title) =>
        string.Concat(title.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-')).Trim('-') is { Length: > 0 } slug ? slug : "product";
}
