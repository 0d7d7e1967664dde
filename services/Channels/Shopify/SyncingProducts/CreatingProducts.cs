using System.Globalization;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary>Creates in the merchant's store (the first one connected, as for orders) the product an existing marketplace
/// item sells, with <c>productSet</c> upserting by a handle made of the item: asked twice — a redelivery, or the merchant
/// again — it changes the same product rather than making a second (reference/shopify.md C.6: without an identifier
/// productSet always creates). The product is a draft: the merchant reviews and activates it in Shopify. It comes back
/// through the products/create webhook like any product, and the catalog matches it with the item.</summary>
public sealed class ShopifyProductRequestedConsumer(ShopifyDbContext db, ShopifyAdminClient shopify, ConnectionSecrets secrets, TimeProvider clock,
    ILogger<ShopifyProductRequestedConsumer> logger) : IConsumer<ShopifyProductRequested>
{
    private const string Mutation = """
        mutation Create($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
          productSet(input: $input, identifier: $identifier, synchronous: true) { product { id handle } userErrors { field message code } }
        }
        """;

    public Task Consume(ConsumeContext<ShopifyProductRequested> context) => db.ExecuteOnceAsync(context, nameof(ShopifyProductRequestedConsumer), async ct =>
    {
        var m = context.Message;
        var store = await db.Connections.AsNoTracking().Where(c => c.TenantId == m.TenantId && c.RemovedAt == null).OrderBy(c => c.CreatedAt).FirstOrDefaultAsync(ct);
        if (store is null)
        {
            Answer(m, null, "No Shopify store is connected: connect one, then ask again.");
            return;
        }

        var answer = await shopify.GraphQlAsync(store, secrets.Unprotect<ShopifyCredentials>(store.ProtectedCredentials), Mutation, Input(m), ct);
        var payload = answer["data"]?["productSet"];
        var errors = (payload?["userErrors"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (payload?["product"]?["id"]?.GetValue<string>() is { } id && errors.Count == 0)
        {
            logger.LogInformation("Shopify product {Product} made from {Channel} item {Item}", id, m.Channel, m.ItemId);
            Answer(m, id, null);
            return;
        }

        var why = errors.Count > 0
            ? string.Join("; ", errors.Select(e => $"{string.Join(".", (e["field"] as JsonArray ?? []).Select(f => f?.ToString()))}: {e["message"]}"))
            : $"Shopify answered without a product: {answer.ToJsonString()[..Math.Min(300, answer.ToJsonString().Length)]}";
        Answer(m, null, $"Shopify refused the product: {why}");
    }, logger);

    private void Answer(ShopifyProductRequested m, string? productId, string? error) =>
        db.AddToOutbox(new ShopifyProductCreated(m.TenantId, m.ConnectionId, m.ItemId, productId, error, clock.GetUtcNow()));

    /// <summary>The handle made of the item: <c>rakuten-jp-{manage number}</c> or <c>rakuten-fr-{advert id}</c>, in the characters a handle takes.</summary>
    public static string HandleOf(ShopifyProductRequested m) =>
        $"{(m.Channel == Contracts.Channel.RakutenJp ? "rakuten-jp" : "rakuten-fr")}-{string.Concat(m.ItemId.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-'))}";

    private static object Input(ShopifyProductRequested m)
    {
        var handle = HandleOf(m);
        // A product without options has Shopify's own single option.
        var names = m.OptionNames.Count > 0 ? m.OptionNames : ["Title"];
        var variants = m.Variants.Select(v => new JsonObject
        {
            ["sku"] = v.Sku,
            ["price"] = v.Price.Amount.ToString(CultureInfo.InvariantCulture),
            ["barcode"] = v.Barcode,
            ["optionValues"] = new JsonArray(names.Select((name, i) => (JsonNode)new JsonObject
            {
                ["optionName"] = name, ["name"] = m.OptionNames.Count > 0 ? (i < v.OptionValues.Count ? v.OptionValues[i] : "") : "Default Title",
            }).ToArray()),
        }).ToList();
        return new
        {
            identifier = new { handle },
            input = new JsonObject
            {
                ["title"] = m.Title,
                ["handle"] = handle,
                ["status"] = "DRAFT",
                ["productOptions"] = new JsonArray(names.Select((name, i) => (JsonNode)new JsonObject
                {
                    ["name"] = name,
                    ["values"] = new JsonArray(variants.Select(v => v["optionValues"]![i]!["name"]!.GetValue<string>()).Distinct()
                        .Select(value => (JsonNode)new JsonObject { ["name"] = value }).ToArray()),
                }).ToArray()),
                ["variants"] = new JsonArray(variants.Select(v => (JsonNode)v).ToArray()),
            },
        };
    }
}
