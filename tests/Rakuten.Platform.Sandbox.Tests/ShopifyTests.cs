using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rakuten.Platform.Sandbox.Tests;

public sealed class ShopifyTests
{
    private const string Shop = "demo-store";
    private const string Token = "shpat_test_token";
    private const string Secret = "whsec-test-secret";

    private static async Task<SandboxHost> StartAsync(string? plan = null)
    {
        var sandbox = await SandboxHost.StartAsync();
        (await sandbox.Client.PostAsJsonAsync("/control/shopify/shops", new { shop = Shop, accessToken = Token, webhookSecret = Secret, plan })).EnsureSuccessStatusCode();
        return sandbox;
    }

    private static async Task<(int Status, JsonObject Body, HttpResponseMessage Response)> GraphQlAsync(
        SandboxHost sandbox, string query, object? variables = null, string version = "2026-01", string token = Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/shopify/{Shop}/admin/api/{version}/graphql.json")
        {
            Content = JsonContent.Create(new { query, variables = variables ?? new { } }),
        };
        request.Headers.Add("X-Shopify-Access-Token", token);
        var response = await sandbox.Client.SendAsync(request);
        return ((int)response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!, response);
    }

    private static async Task<JsonObject> ProductAsync(SandboxHost sandbox, string sku = "TS-M")
    {
        var response = await sandbox.Client.PostAsJsonAsync($"/control/shopify/shops/{Shop}/products", new
        {
            title = "T-shirt", vendor = "Acme",
            options = new[] { new { name = "Size", values = new[] { "M", "L" } } },
            variants = new[] { new { sku, price = 1200m, optionValues = new[] { "M" } }, new { sku = sku + "-L", price = 1300m, optionValues = new[] { "L" } } },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static string InventoryItemId(JsonObject product) => product["variants"]!["nodes"]![0]!["inventoryItem"]!["id"]!.GetValue<string>();

    private static async Task<string> LocationAsync(SandboxHost sandbox) =>
        (await GraphQlAsync(sandbox, "{ locations(first: 5) { nodes { id } } }")).Body["data"]!["locations"]!["nodes"]![0]!["id"]!.GetValue<string>();

    [Fact]
    public async Task A_wrong_token_gets_401_and_an_unsupported_field_a_GraphQL_error_naming_it()
    {
        await using var sandbox = await StartAsync();

        var unauthorised = await GraphQlAsync(sandbox, "{ shop { name } }", token: "nope");
        var unsupported = await GraphQlAsync(sandbox, "{ giftCards(first: 1) { nodes { id } } }");
        var shop = await GraphQlAsync(sandbox, "query Shop { shop { name myshopifyDomain } }");

        unauthorised.Status.Should().Be(401);
        unsupported.Body["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("giftCards");
        unsupported.Body["errors"]![0]!["extensions"]!["fieldName"]!.GetValue<string>().Should().Be("giftCards");
        shop.Body["data"]!["shop"]!["myshopifyDomain"]!.GetValue<string>().Should().Be("demo-store.myshopify.com");
        shop.Body["extensions"]!["cost"]!["throttleStatus"]!["maximumAvailable"]!.GetValue<double>().Should().Be(2000);
    }

    [Fact]
    public async Task Products_page_by_cursor_and_variants_are_found_by_SKU()
    {
        await using var sandbox = await StartAsync();
        for (var i = 0; i < 3; i++) await ProductAsync(sandbox, $"SKU-{i}");

        var first = await GraphQlAsync(sandbox, "query($after: String) { products(first: 2, after: $after) { nodes { id title } pageInfo { hasNextPage endCursor } } }");
        var cursor = first.Body["data"]!["products"]!["pageInfo"]!["endCursor"]!.GetValue<string>();
        var second = await GraphQlAsync(sandbox, "query($after: String) { products(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage } } }", new { after = cursor });
        var bySku = await GraphQlAsync(sandbox, "{ productVariants(first: 5, query: \"sku:SKU-1-L\") { nodes { id sku price inventoryItem { id } } } }");

        first.Body["data"]!["products"]!["nodes"]!.AsArray().Should().HaveCount(2);
        first.Body["data"]!["products"]!["pageInfo"]!["hasNextPage"]!.GetValue<bool>().Should().BeTrue();
        second.Body["data"]!["products"]!["nodes"]!.AsArray().Should().ContainSingle();
        second.Body["data"]!["products"]!["pageInfo"]!["hasNextPage"]!.GetValue<bool>().Should().BeFalse();
        var variant = bySku.Body["data"]!["productVariants"]!["nodes"]!.AsArray().Should().ContainSingle().Subject!;
        variant["price"]!.GetValue<string>().Should().Be("1300.00");
        first.Body["extensions"]!["cost"]!["requestedQueryCost"]!.GetValue<int>().Should().Be(4);
    }

    [Theory]
    [InlineData(false, 200)]
    [InlineData(true, 429)]
    public async Task A_query_costing_more_than_the_bucket_holds_is_THROTTLED(bool with429, int status)
    {
        await using var sandbox = await StartAsync();
        (await sandbox.Client.PutAsJsonAsync("/control/shopify/settings", new { bucketSize = 60, restoreRate = 1, throttleWith429 = with429 })).EnsureSuccessStatusCode();

        var firstCall = await GraphQlAsync(sandbox, "{ products(first: 50) { nodes { id } } }");
        var secondCall = await GraphQlAsync(sandbox, "{ products(first: 50) { nodes { id } } }");

        firstCall.Status.Should().Be(200);
        firstCall.Body["extensions"]!["cost"]!["throttleStatus"]!["currentlyAvailable"]!.GetValue<double>().Should().BeLessThan(10);
        secondCall.Status.Should().Be(status);
        secondCall.Body["errors"]![0]!["extensions"]!["code"]!.GetValue<string>().Should().Be("THROTTLED");
        if (with429)
        {
            double.Parse(secondCall.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public async Task InventorySetQuantities_enforces_changeFromQuantity_from_2026_04_and_compareQuantity_before()
    {
        await using var sandbox = await StartAsync();
        var item = InventoryItemId(await ProductAsync(sandbox));
        var location = await LocationAsync(sandbox);
        const string mutation = "mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { changes { delta quantityAfterChange } } userErrors { code field message } } }";
        object Input(object quantity) => new { input = new { name = "available", reason = "correction", quantities = new[] { quantity } } };

        var missing = await GraphQlAsync(sandbox, mutation, Input(new { inventoryItemId = item, locationId = location, quantity = 5 }), "2026-04");
        var set = await GraphQlAsync(sandbox, mutation, Input(new { inventoryItemId = item, locationId = location, quantity = 5, changeFromQuantity = (int?)null }), "2026-04");
        var stale = await GraphQlAsync(sandbox, mutation, Input(new { inventoryItemId = item, locationId = location, quantity = 7, changeFromQuantity = 3 }), "2026-04");
        var oldStyle = await GraphQlAsync(sandbox, mutation, Input(new { inventoryItemId = item, locationId = location, quantity = 8, compareQuantity = 5 }), "2025-10");

        missing.Body["data"]!["inventorySetQuantities"]!["userErrors"]![0]!["message"]!.GetValue<string>().Should().Contain("changeFromQuantity");
        set.Body["data"]!["inventorySetQuantities"]!["inventoryAdjustmentGroup"]!["changes"]![0]!["quantityAfterChange"]!.GetValue<int>().Should().Be(5);
        stale.Body["data"]!["inventorySetQuantities"]!["userErrors"]![0]!["code"]!.GetValue<string>().Should().Be("CHANGE_FROM_QUANTITY_STALE");
        oldStyle.Body["data"]!["inventorySetQuantities"]!["inventoryAdjustmentGroup"]!["changes"]![0]!["delta"]!.GetValue<int>().Should().Be(3);
    }

    [Fact]
    public async Task InventoryAdjustQuantities_with_the_same_idempotency_key_changes_stock_once()
    {
        await using var sandbox = await StartAsync();
        var item = InventoryItemId(await ProductAsync(sandbox));
        var location = await LocationAsync(sandbox);
        await sandbox.Client.PutAsJsonAsync($"/control/shopify/shops/{Shop}/inventory", new { sku = "TS-M", available = 10 });
        var key = Guid.NewGuid().ToString();
        var mutation = $"mutation($input: InventoryAdjustQuantitiesInput!) {{ inventoryAdjustQuantities(input: $input) @idempotent(key: \"{key}\") {{ inventoryAdjustmentGroup {{ changes {{ delta quantityAfterChange }} }} userErrors {{ message }} }} }}";
        var input = new { input = new { name = "available", reason = "correction", changes = new[] { new { delta = -2, inventoryItemId = item, locationId = location } } } };

        var first = await GraphQlAsync(sandbox, mutation, input);
        var retry = await GraphQlAsync(sandbox, mutation, input);
        var without = await GraphQlAsync(sandbox, mutation.Replace($" @idempotent(key: \"{key}\")", ""), input, "2026-04");
        var stock = await sandbox.Client.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Shop}/inventory");

        first.Body["data"]!["inventoryAdjustQuantities"]!["inventoryAdjustmentGroup"]!["changes"]![0]!["quantityAfterChange"]!.GetValue<int>().Should().Be(8);
        retry.Body["data"]!.ToJsonString().Should().Be(first.Body["data"]!.ToJsonString(), "a retry with the same key returns the original result");
        without.Body["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("@idempotent");
        stock!.Single(l => l!["inventoryItemId"]!.GetValue<long>() == ShopifyId(item))!["available"]!.GetValue<int>().Should().Be(8);
    }

    private static long ShopifyId(string gid) => long.Parse(gid[(gid.LastIndexOf('/') + 1)..]);

    [Fact]
    public async Task OrderCreate_bypasses_stock_by_default_decrements_when_asked_and_is_limited_on_development_stores()
    {
        await using var sandbox = await StartAsync(plan: "development");
        var product = await ProductAsync(sandbox);
        var variant = product["variants"]!["nodes"]![0]!["id"]!.GetValue<string>();
        await sandbox.Client.PutAsJsonAsync($"/control/shopify/shops/{Shop}/inventory", new { sku = "TS-M", available = 10 });
        const string mutation = "mutation($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) { orderCreate(order: $order, options: $options) { order { id name tags sourceIdentifier } userErrors { field message code } } }";
        object Order(string id, string behaviour) => new
        {
            order = new { lineItems = new[] { new { variantId = variant, quantity = 2 } }, tags = new[] { "rakuten-jp", id }, sourceName = "rakuten-jp", sourceIdentifier = id },
            options = new { inventoryBehaviour = behaviour },
        };

        var bypass = await GraphQlAsync(sandbox, mutation, Order("A-1", "BYPASS"));
        var afterBypass = await Available(sandbox, product);
        var decrement = await GraphQlAsync(sandbox, mutation, Order("A-2", "DECREMENT_IGNORING_POLICY"));
        var afterDecrement = await Available(sandbox, product);
        for (var i = 3; i <= 5; i++) await GraphQlAsync(sandbox, mutation, Order($"A-{i}", "BYPASS"));
        var sixth = await GraphQlAsync(sandbox, mutation, Order("A-6", "BYPASS"));
        var byTag = await GraphQlAsync(sandbox, "{ orders(first: 5, query: \"tag:A-2\") { nodes { id sourceIdentifier } } }");

        bypass.Body["data"]!["orderCreate"]!["order"]!["name"]!.GetValue<string>().Should().StartWith("#");
        afterBypass.Should().Be(10);
        decrement.Body["data"]!["orderCreate"]!["userErrors"]!.AsArray().Should().BeEmpty();
        afterDecrement.Should().Be(8);
        sixth.Body["data"]!["orderCreate"]!["userErrors"]![0]!["message"]!.GetValue<string>().Should().Contain("5 per minute");
        byTag.Body["data"]!["orders"]!["nodes"]!.AsArray().Should().ContainSingle().Which!["sourceIdentifier"]!.GetValue<string>().Should().Be("A-2");
    }

    private static async Task<int> Available(SandboxHost sandbox, JsonObject product)
    {
        var item = ShopifyId(InventoryItemId(product));
        var stock = await sandbox.Client.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Shop}/inventory");
        return stock!.Single(l => l!["inventoryItemId"]!.GetValue<long>() == item)!["available"]!.GetValue<int>();
    }

    [Fact]
    public async Task Webhooks_are_signed_verifiably_by_openssl_retried_after_a_failure_and_duplicated_with_one_event_id()
    {
        await using var sandbox = await StartAsync();
        await using var receiver = await Receiver.StartAsync(failFirst: 1);
        (await sandbox.Client.PutAsJsonAsync("/control/shopify/settings", new { retryScale = 0.01, duplicateRate = 1.0 })).EnsureSuccessStatusCode();
        (await sandbox.Client.PostAsJsonAsync($"/control/shopify/shops/{Shop}/webhooks", new { topic = "products/create", callbackUrl = receiver.Url })).EnsureSuccessStatusCode();

        await ProductAsync(sandbox);

        var deadline = Stopwatch.StartNew();
        while (receiver.Accepted.Count < 2 && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50);
        receiver.Accepted.Should().HaveCount(2, "the duplicate is delivered too, and the refused delivery is retried");
        receiver.Refused.Should().Be(1);
        var delivery = receiver.Accepted.First();
        delivery.Headers["X-Shopify-Topic"].Should().Be("products/create");
        delivery.Headers["X-Shopify-Shop-Domain"].Should().Be("demo-store.myshopify.com");
        delivery.Headers.Should().ContainKeys("X-Shopify-Triggered-At", "X-Shopify-Webhook-Id", "X-Shopify-API-Version");
        receiver.Accepted.Select(d => d.Headers["X-Shopify-Event-Id"]).Distinct().Should().ContainSingle("a duplicate carries the same event id");
        delivery.Headers["X-Shopify-Hmac-Sha256"].Should().Be(await OpenSslHmacAsync(delivery.Body, Secret), "an independent HMAC-SHA256 agrees");
        JsonNode.Parse(delivery.Body)!["variants"]![0]!["sku"]!.GetValue<string>().Should().Be("TS-M");
    }

    [Fact]
    public async Task Many_stock_levels_in_one_control_request_apply_in_order_each_with_its_webhook_or_none_when_one_names_no_variant()
    {
        await using var sandbox = await StartAsync();
        await using var receiver = await Receiver.StartAsync(failFirst: 0);
        var product = await ProductAsync(sandbox);
        (await sandbox.Client.PostAsJsonAsync($"/control/shopify/shops/{Shop}/webhooks", new { topic = "inventory_levels/update", callbackUrl = receiver.Url })).EnsureSuccessStatusCode();

        var refused = await sandbox.Client.PutAsJsonAsync($"/control/shopify/shops/{Shop}/inventory/batch", new object[]
        {
            new { sku = "TS-M", available = 1 }, new { sku = "NO-SUCH", available = 2 },
        });
        var afterRefused = await sandbox.Client.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Shop}/inventory");
        (await sandbox.Client.PutAsJsonAsync($"/control/shopify/shops/{Shop}/inventory/batch", new object[]
        {
            new { sku = "TS-M", available = 5 }, new { sku = "TS-M-L", available = 6 }, new { sku = "TS-M", available = 7 },
        })).EnsureSuccessStatusCode();

        refused.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("[1]: no variant with that sku");
        afterRefused.Should().BeEmpty("a refused batch changes nothing, not even its valid first entry");
        (await Available(sandbox, product)).Should().Be(7, "applied in order: the last of two changes of one SKU wins");
        var deadline = Stopwatch.StartNew();
        while (receiver.Accepted.Count < 3 && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50);
        receiver.Accepted.Select(d => JsonNode.Parse(d.Body)!["available"]!.GetValue<int>()).Should().BeEquivalentTo([5, 6, 7], "each change sends its own webhook");
    }

    [Fact]
    public async Task Fulfilling_with_tracking_emits_fulfillments_create_with_the_lines_and_tracking()
    {
        await using var sandbox = await StartAsync();
        await using var receiver = await Receiver.StartAsync(failFirst: 0);
        (await sandbox.Client.PostAsJsonAsync($"/control/shopify/shops/{Shop}/webhooks", new { topic = "fulfillments/create", callbackUrl = receiver.Url })).EnsureSuccessStatusCode();
        var product = await ProductAsync(sandbox);
        var variant = product["variants"]!["nodes"]![0]!["id"]!.GetValue<string>();
        var created = await GraphQlAsync(sandbox, "mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id fulfillmentOrders { nodes { id lineItems { nodes { id remainingQuantity } } } } } userErrors { message } } }",
            new { order = new { lineItems = new[] { new { variantId = variant, quantity = 3 } } } });
        var fo = created.Body["data"]!["orderCreate"]!["order"]!["fulfillmentOrders"]!["nodes"]![0]!;
        const string fulfil = "mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id status trackingInfo { company number url } } userErrors { message } } }";
        object Fulfilment(int quantity) => new
        {
            f = new
            {
                lineItemsByFulfillmentOrder = new[] { new { fulfillmentOrderId = fo["id"]!.GetValue<string>(), fulfillmentOrderLineItems = new[] { new { id = fo["lineItems"]!["nodes"]![0]!["id"]!.GetValue<string>(), quantity } } } },
                trackingInfo = new { company = "Yamato (JA)", number = "1234-5678-9012", url = "https://example.test/track/1234" },
            },
        };

        var tooMany = await GraphQlAsync(sandbox, fulfil, Fulfilment(4));
        var partial = await GraphQlAsync(sandbox, fulfil, Fulfilment(2));

        tooMany.Body["data"]!["fulfillmentCreate"]!["userErrors"]!.AsArray().Should().NotBeEmpty();
        partial.Body["data"]!["fulfillmentCreate"]!["fulfillment"]!["trackingInfo"]![0]!["number"]!.GetValue<string>().Should().Be("1234-5678-9012");
        var deadline = Stopwatch.StartNew();
        while (receiver.Accepted.IsEmpty && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        var payload = JsonNode.Parse(receiver.Accepted.Single().Body)!;
        var open = await GraphQlAsync(sandbox, "{ fulfillmentOrders(first: 5) { nodes { id status lineItems { nodes { remainingQuantity } } } } }");
        var delivered = await sandbox.Client.PostAsync($"/control/shopify/shops/{Shop}/fulfillments/{payload["id"]!.GetValue<long>()}/delivered", null);

        open.Body["data"]!["fulfillmentOrders"]!["nodes"]![0]!["lineItems"]!["nodes"]![0]!["remainingQuantity"]!.GetValue<int>().Should().Be(1);
        delivered.StatusCode.Should().Be(HttpStatusCode.OK);
        payload["tracking_company"]!.GetValue<string>().Should().Be("Yamato (JA)");
        payload["line_items"]![0]!["quantity"]!.GetValue<int>().Should().Be(2);
        payload["line_items"]![0]!["sku"]!.GetValue<string>().Should().Be("TS-M");
    }

    private static async Task<string> OpenSslHmacAsync(string body, string secret)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, body, new UTF8Encoding(false));
        var start = new ProcessStartInfo("bash", ["-c", $"openssl dgst -sha256 -hmac '{secret}' -binary < '{file}' | base64"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        File.Delete(file);
        return output;
    }

    /// <summary>A real HTTP endpoint on 127.0.0.1 receiving webhooks; it can refuse the first N deliveries.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _refuse;

        private Receiver(WebApplication app, int failFirst)
        {
            _app = app;
            _refuse = failFirst;
        }

        public ConcurrentQueue<(Dictionary<string, string> Headers, string Body)> Accepted { get; } = new();

        public int Refused { get; private set; }

        public string Url { get; private set; } = "";

        public static async Task<Receiver> StartAsync(int failFirst)
        {
            var builder = WebApplication.CreateBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new Receiver(app, failFirst);
            app.MapPost("/hooks", async (HttpContext http) =>
            {
                var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
                if (Interlocked.Decrement(ref receiver._refuse) >= 0)
                {
                    receiver.Refused++;
                    return Results.StatusCode(500);
                }

                receiver.Accepted.Enqueue((http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
                return Results.Ok();
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            receiver.Url = address + "/hooks";
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    [Fact]
    public async Task ProductSet_upserts_by_handle_creates_again_without_an_identifier_and_refuses_an_id_with_one()
    {
        await using var sandbox = await StartAsync();
        const string mutation = "mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) { productSet(input: $input, identifier: $identifier) { product { id handle } userErrors { field message code } } }";
        object Input(string title) => new
        {
            title, status = "DRAFT", productOptions = new[] { new { name = "Size", values = new[] { new { name = "M" } } } },
            variants = new[] { new { sku = "OLD-1", price = "999", optionValues = new[] { new { optionName = "Size", name = "M" } } } },
        };

        var first = await GraphQlAsync(sandbox, mutation, new { input = Input("Old item"), identifier = new { handle = "rakuten-jp-old-1" } });
        var second = await GraphQlAsync(sandbox, mutation, new { input = Input("Old item (renamed)"), identifier = new { handle = "rakuten-jp-old-1" } });
        first.Body["data"]!["productSet"]!["product"]!["id"]!.GetValue<string>().Should().Be(second.Body["data"]!["productSet"]!["product"]!["id"]!.GetValue<string>());
        var plain1 = await GraphQlAsync(sandbox, mutation, new { input = Input("Plain") });
        var plain2 = await GraphQlAsync(sandbox, mutation, new { input = Input("Plain") });
        plain2.Body["data"]!["productSet"]!["product"]!["handle"]!.GetValue<string>().Should().StartWith("plain-", "a taken handle gets a suffix");
        plain1.Body["data"]!["productSet"]!["product"]!["id"]!.GetValue<string>().Should().NotBe(plain2.Body["data"]!["productSet"]!["product"]!["id"]!.GetValue<string>());
        var both = await GraphQlAsync(sandbox, mutation, new { input = new { id = "gid://shopify/Product/1", title = "x" }, identifier = new { handle = "h" } });
        both.Body["data"]!["productSet"]!["userErrors"]![0]!["code"]!.GetValue<string>().Should().Be("ID_NOT_ALLOWED");
        var products = (await sandbox.Client.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Shop}/products"))!;
        products.Should().HaveCount(3);
        products.Single(p => p!["handle"]?.GetValue<string>() == "rakuten-jp-old-1")!["title"]!.GetValue<string>().Should().Be("Old item (renamed)");
    }
}
