using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;

namespace Rakuten.Platform.Sandbox.Tests;

/// <summary>The Sandbox keeps its state in a file (issue 21): a restarted demo finds its accounts, items, stock, products and
/// orders — the credentials still open the accounts, and an imported order is still in its marketplace.</summary>
public sealed class PersistenceTests
{
    [Fact]
    public async Task Accounts_items_stock_products_and_orders_survive_a_restart_and_the_credentials_still_work()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sandbox-state-{Guid.NewGuid():N}.json");
        try
        {
            string rmsOrder;
            var before = new Dictionary<string, string>();
            await using (var sandbox = await SandboxHost.StartAsync(stateFile: file))
            {
                var client = sandbox.Client;
                rmsOrder = await sandbox.PlaceOrderAsync();
                (await client.PutAsJsonAsync($"/control/rms/shops/{SandboxHost.ShopId}/items/shirt-1", new JsonObject
                {
                    ["title"] = "シャツ", ["itemType"] = "NORMAL", ["genreId"] = "100371",
                    ["variants"] = new JsonObject { ["s1"] = new JsonObject { ["merchantDefinedSkuId"] = "SHIRT-1", ["standardPrice"] = "1200" } },
                })).EnsureSuccessStatusCode();
                (await client.PutAsJsonAsync($"/control/rms/shops/{SandboxHost.ShopId}/inventory", new { manageNumber = "shirt-1", variantId = "s1", quantity = 7 }))
                    .EnsureSuccessStatusCode();
                (await client.PostAsJsonAsync("/control/rakuten-fr/sellers", new { login = "boutique", token = "tok-1" })).EnsureSuccessStatusCode();
                (await client.PostAsJsonAsync("/control/rakuten-fr/sellers/boutique/offers", new { sku = "SHIRT-1", headline = "Chemise", price = 9.9, stock = 4 }))
                    .EnsureSuccessStatusCode();
                (await client.PostAsJsonAsync("/control/shopify/shops", new { shop = "store", accessToken = "shpat_1", webhookSecret = "whsec_1" })).EnsureSuccessStatusCode();
                var product = await (await client.PostAsJsonAsync("/control/shopify/shops/store/products", new
                {
                    title = "Shirt", options = new[] { new { name = "Size", values = new[] { "M" } } },
                    variants = new[] { new { sku = "SHIRT-1", price = 1200m, optionValues = new[] { "M" } } },
                })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
                (await client.PutAsJsonAsync("/control/shopify/shops/store/inventory", new { sku = "SHIRT-1", available = 12 })).EnsureSuccessStatusCode();
                using var orderCreate = new HttpRequestMessage(HttpMethod.Post, "/shopify/store/admin/api/2026-01/graphql.json")
                {
                    Content = JsonContent.Create(new
                    {
                        query = "mutation($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) { orderCreate(order: $order, options: $options) { order { id } userErrors { message } } }",
                        variables = new
                        {
                            order = new { lineItems = new[] { new { variantId = product!["variants"]!["nodes"]![0]!["id"]!.GetValue<string>(), quantity = 2 } }, tags = new[] { "rakuten-jp" } },
                            options = new { inventoryBehaviour = "DECREMENT_IGNORING_POLICY" },
                        },
                    }),
                };
                orderCreate.Headers.Add("X-Shopify-Access-Token", "shpat_1");
                (await (await client.SendAsync(orderCreate)).Content.ReadAsStringAsync()).Should().NotContain("\"message\"");
                foreach (var path in Reads(rmsOrder))
                {
                    before[path] = await client.GetStringAsync(path);
                }
            }

            JsonNode.Parse(before["/control/shopify/shops/store/orders"])!.AsArray().Should().ContainSingle("the Shopify order is part of what is compared");
            File.Exists(file).Should().BeTrue("a clean stop writes the state");
            await using (var restarted = await SandboxHost.StartAsync(stateFile: file))
            {
                foreach (var path in Reads(rmsOrder))
                {
                    (await restarted.Client.GetStringAsync(path)).Should().Be(before[path], $"{path} reads the same after the restart");
                }

                // The same credentials open the same shop: the order is found through the Order API, not answered 401.
                var search = await restarted.OrderApiAsync("getOrder", new { orderNumberList = new[] { rmsOrder }, version = 9 });
                search.Status.Should().Be(200);
                search.Body!["OrderModelList"]!.AsArray().Should().ContainSingle();
                var another = await restarted.PlaceOrderAsync();
                another.Should().NotBe(rmsOrder, "the order sequence goes on rather than handing out a number twice");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string[] Reads(string rmsOrder) =>
    [
        $"/control/rms/shops/{SandboxHost.ShopId}/orders/{rmsOrder}",
        $"/control/rms/shops/{SandboxHost.ShopId}/items",
        $"/control/rms/shops/{SandboxHost.ShopId}/inventory",
        "/control/rakuten-fr/sellers/boutique/offers",
        "/control/shopify/shops/store/inventory",
        "/control/shopify/shops/store/orders",
    ];
}
