using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;

namespace Rakuten.Platform.Sandbox.Tests;

/// <summary>The Sandbox answers with the field names, nesting and JSON types of the official samples. The
/// project keeps its own fixtures written to those samples' shape (Fixtures/); a field the fixture has must be
/// in the answer with the same JSON type (a null in the fixture accepts any type: RMS fills it or not).</summary>
public sealed class ShapeTests
{
    [Fact]
    public async Task GetOrder_has_the_shape_of_the_official_OrderModel_sample()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var number = await sandbox.PlaceOrderAsync();

        var (_, body, _) = await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { number }, version = 10 });

        AssertShape(Fixture("rms-getOrder-v10.json"), body!, "$");
    }

    [Fact]
    public async Task SearchOrder_and_updateOrderShipping_have_the_shape_of_the_official_samples()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var number = await sandbox.PlaceOrderAsync();
        var now = DateTimeOffset.UtcNow;
        var (_, search, _) = await sandbox.OrderApiAsync("searchOrder",
            new { dateType = 1, startDatetime = SandboxHost.Jst(now.AddDays(-1)), endDatetime = SandboxHost.Jst(now.AddDays(1)) });
        var order = (await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { number }, version = 10 })).Body!["OrderModelList"]![0]!;
        var basketId = order["PackageModelList"]![0]!["basketId"]!.GetValue<long>();
        var (_, shipping, _) = await sandbox.OrderApiAsync("updateOrderShipping", new
        {
            orderNumber = number,
            BasketidModelList = new[] { new { basketId, ShippingModelList = new[] { new { deliveryCompany = "1002", shippingNumber = "SN1" } } } },
        });

        AssertShape(Fixture("rms-searchOrder.json"), search!, "$");
        AssertShape(Fixture("rms-updateOrderShipping.json"), shipping!, "$");
    }

    [Fact]
    public async Task Inventory_bulk_get_has_the_shape_of_the_official_sample()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        (await sandbox.RmsAsync(HttpMethod.Put, "/es/2.0/items/manage-numbers/v_mug", new
        {
            title = "マグカップ", itemType = "NORMAL", genreId = "100371",
            variants = new Dictionary<string, object> { ["v_mug-white"] = new { standardPrice = "1200", articleNumber = new { exemptionReason = 5 } } },
        })).Status.Should().Be(201);
        await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert",
            new { inventories = new[] { new { manageNumber = "v_mug", variantId = "v_mug-white", mode = "ABSOLUTE", quantity = 4 } } });

        var (_, body, _) = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-get",
            new { inventories = new[] { new { manageNumber = "v_mug", variantId = "v_mug-white" } } });

        AssertShape(Fixture("rms-inventory-bulk-get.json"), body!, "$");
    }

    private static JsonNode Fixture(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)))!;

    private static void AssertShape(JsonNode? expected, JsonNode? actual, string path)
    {
        if (expected is null || expected.GetValueKind() == JsonValueKind.Null)
        {
            return;
        }

        actual.Should().NotBeNull($"{path} is in the official shape");
        Kind(actual!).Should().Be(Kind(expected), $"{path} has the official JSON type");
        switch (expected)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    actual!.AsObject().ContainsKey(name).Should().BeTrue($"{path}.{name} is in the official shape");
                    AssertShape(child, actual![name], $"{path}.{name}");
                }

                break;
            case JsonArray a when a.Count > 0:
                actual!.AsArray().Should().NotBeEmpty($"{path} has elements to compare");
                AssertShape(a[0], actual!.AsArray()[0], $"{path}[0]");
                break;
        }
    }

    private static JsonValueKind Kind(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.True or JsonValueKind.False => JsonValueKind.True,
        var k => k,
    };
}
