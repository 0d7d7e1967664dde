using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.Channels.RakutenFr;
using Rakuten.Platform.Channels.RakutenFr.ImportingSales;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.TrackingOrders;

using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

/// <summary>Orders placed on the marketplaces of a <see cref="Marketplace"/>, the pollers run by the test, and what each side holds.</summary>
public static class OrderScenario
{
    public static object RmsOrder(string manageNumber, string sku, int units = 1) => new
    {
        buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1", phone = "03-1234-5678" },
        packages = new[] { new { items = new[] { new { manageNumber, variantId = manageNumber + "-v", merchantDefinedSkuId = sku, itemName = "マグ", price = 1500, units } }, postagePrice = 500 } },
        email = "hanako@example.jp",
    };

    public static object FrSale(params (string Sku, int Quantity)[] lines) => new
    {
        lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }).ToArray(),
        billingAddress = new { civility = "MME", lastName = "Dupont", firstName = "Jeanne", address1 = "12 rue des Lilas", zipCode = "69003", city = "Lyon", country = "FRANCE", countryAlpha2 = "FX", phone = "0600000000" },
        deliveryAddress = new { civility = "MME", lastName = "Dupont", firstName = "Jeanne", address1 = "12 rue des Lilas", zipCode = "69003", city = "Lyon", country = "FRANCE", countryAlpha2 = "FX", phone = "0600000000" },
    };

    public static Task<string> PlaceAsync(Marketplace m, object order) => PlaceAsync(m.Hosts.Sandbox, order);

    public static async Task<string> PlaceAsync(HttpClient sandbox, object order) =>
        (await (await sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders", order)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonObject>())!["orderNumber"]!.GetValue<string>();

    /// <summary>Places a Rakuten France sale; returns its purchase id and item ids.</summary>
    public static async Task<(string PurchaseId, List<long> Items)> SellAsync(Marketplace m, object sale)
    {
        var placed = (await (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales", sale)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonObject>())!;
        return (placed["purchaseId"]!.ToString(), placed["itemIds"]!.AsArray().Select(i => i!.GetValue<long>()).ToList());
    }

    public static Task PollAsync(Marketplace m) => PollAtAsync(m, DateTimeOffset.UtcNow.AddSeconds(2));

    /// <summary>One RMS polling round with the platform's clock at <paramref name="at"/>.</summary>
    public static Task PollAtAsync(Marketplace m, DateTimeOffset at)
    {
        m.Hosts.Clock.Now = at;
        return m.Hosts.Services.GetRequiredService<RmsOrderPoller>().PollAllAsync(CancellationToken.None);
    }

    public static Task SweepAsync(Marketplace m) => m.Hosts.Services.GetRequiredService<RmsStatusSweep>().SweepAllAsync(CancellationToken.None);

    public static Task PollFrAsync(Marketplace m) => m.Hosts.Services.GetRequiredService<RakutenFrSalesPoller>().PollAllAsync(CancellationToken.None);

    public static async Task<JsonArray> OrdersAsync(Marketplace m) => (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/orders"))!;

    public static async Task<JsonObject> OrderAsync(Marketplace m, string channelOrderId)
    {
        var id = (await OrdersAsync(m)).Single(o => o!["channelOrderId"]!.GetValue<string>() == channelOrderId)!["orderId"]!.GetValue<string>();
        return (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>($"/orders/{id}"))!;
    }

    public static Task<JsonArray> ShopifyOrdersAsync(Marketplace m) => ShopifyOrdersAsync(m.Hosts.Sandbox);

    public static async Task<JsonArray> ShopifyOrdersAsync(HttpClient sandbox) => (await sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Marketplace.Shop}/orders"))!;

    public static async Task<int> ShopifyStockAsync(Marketplace m, string sku) =>
        (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Marketplace.Shop}/inventory"))!
            .Where(l => l!["sku"]?.GetValue<string>() == sku).Sum(l => l!["available"]!.GetValue<int>());

    public static async Task SetShopifyStockAsync(Marketplace m, string sku, int available) =>
        (await m.Hosts.Sandbox.PutAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/inventory", new { sku, available })).EnsureSuccessStatusCode();

    /// <summary>The quantity the Rakuten France adapter accepts new sales against (null: not told yet).</summary>
    public static async Task<int?> FrQuantityAsync(Marketplace m, string sku)
    {
        await using var scope = m.Hosts.Services.CreateAsyncScope();
        var connection = Guid.Parse(m.Fr);
        return (await scope.ServiceProvider.GetRequiredService<RakutenFrDbContext>().Quantities.AsNoTracking()
            .FirstOrDefaultAsync(q => q.ConnectionId == connection && q.Sku == sku))?.Quantity;
    }

    public static async Task<string> ManageNumberAsync(Marketplace m) =>
        (await m.ListingsAsync("RakutenJp")).Single()!["channelListingId"]!.GetValue<string>();

    /// <summary>The Shopify order the platform created for a marketplace order (found by its channel-order tag).</summary>
    public static Task<JsonNode> ShopifyOrderAsync(Marketplace m, string channelOrderId) => ShopifyOrderAsync(m.Hosts.Sandbox, channelOrderId);

    public static async Task<JsonNode> ShopifyOrderAsync(HttpClient sandbox, string channelOrderId) =>
        (await ShopifyOrdersAsync(sandbox)).Single(o => o!["tags"]!.AsArray().Any(t => t!.GetValue<string>() == $"channel-order:{channelOrderId}"))!;

    /// <summary>The merchant fulfils lines of the order in Shopify (fulfillmentCreate with tracking); returns the fulfilment id.</summary>
    public static Task<string> FulfilAsync(Marketplace m, string channelOrderId, string? company, string[] numbers, string[]? urls, params (string Sku, int Quantity)[] lines) =>
        FulfilAsync(m.Hosts.Sandbox, channelOrderId, company, numbers, urls, lines);

    public static async Task<string> FulfilAsync(HttpClient sandbox, string channelOrderId, string? company, string[] numbers, string[]? urls, params (string Sku, int Quantity)[] lines)
    {
        var fulfillmentOrder = (await ShopifyOrderAsync(sandbox, channelOrderId))["fulfillmentOrders"]!["nodes"]![0]!;
        var items = fulfillmentOrder["lineItems"]!["nodes"]!.AsArray();
        var picks = lines.Select(l => new { id = items.First(i => i!["lineItem"]!["sku"]?.GetValue<string>() == l.Sku)!["id"]!.GetValue<string>(), quantity = l.Quantity }).ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/shopify/{Marketplace.Shop}/admin/api/2026-01/graphql.json")
        {
            Content = JsonContent.Create(new
            {
                query = "mutation F($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id } userErrors { message } } }",
                variables = new
                {
                    f = new
                    {
                        lineItemsByFulfillmentOrder = new[] { new { fulfillmentOrderId = fulfillmentOrder["id"]!.GetValue<string>(), fulfillmentOrderLineItems = picks } },
                        trackingInfo = new { company, numbers, urls = urls ?? [] },
                    },
                },
            }),
        };
        request.Headers.Add("X-Shopify-Access-Token", "shpat_catalog");
        var answer = (await (await sandbox.SendAsync(request)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!;
        return answer["data"]?["fulfillmentCreate"]?["fulfillment"]?["id"]?.GetValue<string>().Split('/').Last()
               ?? throw new InvalidOperationException($"fulfillmentCreate failed: {answer.ToJsonString()}");
    }

    /// <summary>The carrier reports the parcel delivered (the Sandbox sends fulfillments/update).</summary>
    public static async Task DeliveredAsync(Marketplace m, string fulfillmentId) =>
        (await m.Hosts.Sandbox.PostAsync($"/control/shopify/shops/{Marketplace.Shop}/fulfillments/{fulfillmentId}/delivered", null)).EnsureSuccessStatusCode();

    public static async Task<JsonArray> ShipmentsAsync(Marketplace m, string channelOrderId)
    {
        var id = (await OrdersAsync(m)).Single(o => o!["channelOrderId"]!.GetValue<string>() == channelOrderId)!["orderId"]!.GetValue<string>();
        return (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/shipping/orders/{id}/shipments"))!;
    }

    public static IEnumerable<string> History(JsonObject order) => order["history"]!.AsArray().Select(e => e!["type"]!.GetValue<string>());

    /// <summary>Every projection rebuilt from the events (as <c>rebuild-projections</c> does) leaves the API showing what the
    /// inline projections showed: the orders, the holds, each order's shipments (Orders' and Shipping's own).</summary>
    public static Task RebuildingProjectionsChangesNothingAsync(Marketplace m) => RebuildingProjectionsChangesNothingAsync(m.Hosts, m.Hosts.Platform);

    /// <inheritdoc cref="RebuildingProjectionsChangesNothingAsync(Marketplace)"/>
    public static async Task RebuildingProjectionsChangesNothingAsync(ChannelHosts hosts, HttpClient api)
    {
        async Task<string> Shown()
        {
            // By id: orders updated at the same instant (the test clock stands still) come in either order.
            var orders = new JsonArray((await api.GetFromJsonAsync<JsonArray>("/orders"))!.OrderBy(o => o!["orderId"]!.GetValue<string>()).Select(o => o!.DeepClone()).ToArray());
            var shown = new JsonArray(orders.DeepClone(), (await api.GetFromJsonAsync<JsonArray>("/orders/holds"))!.DeepClone());
            foreach (var id in orders.Select(o => o!["orderId"]!.GetValue<string>()))
            {
                shown.Add((await api.GetFromJsonAsync<JsonObject>($"/orders/{id}"))!["shipments"]!.DeepClone());
                var shipping = await api.GetAsync($"/shipping/orders/{id}/shipments");
                shown.Add(shipping.IsSuccessStatusCode ? JsonNode.Parse(await shipping.Content.ReadAsStringAsync()) : (int)shipping.StatusCode);
            }

            return shown.ToJsonString();
        }

        var before = await Shown();
        var rebuilds = hosts.Services.GetServices<IProjectionRebuild>().ToList();
        rebuilds.Select(r => r.Name).Should().BeEquivalentTo(["orders: order list, holds, shipments per order", "shipping: shipments"]);
        var read = 0L;
        foreach (var rebuild in rebuilds)
        {
            read += (await rebuild.RebuildAsync(CancellationToken.None)).Events;
        }

        read.Should().BeGreaterThan(0);

        (await Shown()).Should().Be(before, "the read models are projections of the events");
    }
}
