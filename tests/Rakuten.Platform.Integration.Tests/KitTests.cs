using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Kits and bundles (issue 21) on RabbitMQ, PostgreSQL and the Sandbox: a kit is listed at the minimum its
/// components allow, a component's change reaches the kit, a kit sold holds its components until Shopify counts them, and
/// the Shopify order carries the components so that Shopify's stock of each goes down.</summary>
public sealed class KitTests
{
    private static async Task<JsonObject> KitAsync(Marketplace m) => (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>("/inventory/kits/SET-1"))!;

    private static async Task<bool> KitListedAtAsync(Marketplace m, int quantity) =>
        (await KitAsync(m))["channels"]!.AsArray() is { Count: 2 } channels && channels.All(c => c!["quantity"]!.GetValue<int>() == quantity);

    [Fact]
    public async Task A_kit_is_listed_at_its_scarcest_component_follows_its_components_and_a_kit_sold_holds_and_decrements_its_components()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1"), ("Spoon", "SPOON-1"), ("Mug and two spoons", "SET-1")], limitsOff: true);
        await SetShopifyStockAsync(m, "MUG-1", 5);
        await SetShopifyStockAsync(m, "SPOON-1", 6);
        await SetShopifyStockAsync(m, "SET-1", 40);
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "SPOON-1") == 6 && await FrQuantityAsync(m, "SET-1") == 40, "the stock on Rakuten France", setup: m);

        var platform = m.Hosts.Platform;
        var itself = await platform.PutAsJsonAsync("/inventory/kits/SET-1", new { components = new[] { new { sku = "SET-1", quantity = 1 } } });
        itself.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await itself.Content.ReadAsStringAsync()).Should().Contain("components[0].sku").And.Contain("is the kit itself");
        var defined = await platform.PutAsJsonAsync("/inventory/kits/SET-1",
            new { components = new[] { new { sku = "MUG-1", quantity = 1 }, new { sku = "SPOON-1", quantity = 2 } } });
        defined.StatusCode.Should().Be(HttpStatusCode.OK, await defined.Content.ReadAsStringAsync());
        var nested = await platform.PutAsJsonAsync("/inventory/kits/GIFT-1", new { components = new[] { new { sku = "SET-1", quantity = 1 } } });
        (await nested.Content.ReadAsStringAsync()).Should().Contain("SET-1 is a kit");

        // min(5 mugs, 6 spoons / 2) = 3 kits, whatever Shopify says of the kit's own variant.
        await Marketplace.WaitAsync(() => KitListedAtAsync(m, 3), "the kit listed at 3 on both channels", setup: m);
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "SET-1") == 3, "3 kits on Rakuten France", setup: m);
        await SetShopifyStockAsync(m, "SPOON-1", 4);
        await Marketplace.WaitAsync(() => KitListedAtAsync(m, 2), "a spoon's change reaching the kit", setup: m);

        // A kit sold on Rakuten France holds a mug and two spoons on every channel until Shopify has the order.
        var (purchase, _) = await SellAsync(m, FrSale(("SET-1", 1)));
        await PollFrAsync(m);
        var order = await ShopifyOrderAsyncWhenThere(m, purchase);
        var lines = order["lineItems"]!["nodes"]!.AsArray().Select(l => (l!["sku"]!.GetValue<string>(), l["quantity"]!.GetValue<int>())).ToList();
        lines.Should().BeEquivalentTo(new[] { ("SET-1", 1), ("MUG-1", 1), ("SPOON-1", 2) }, "the components follow the kit so that Shopify counts them");
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "MUG-1") == 4 && await ShopifyStockAsync(m, "SPOON-1") == 2,
            "Shopify's own stock of the components lowered", setup: m);
        // The same figures show while the hold is on and Shopify's lowered stock not yet seen (5 − 1 reserved = 4): the state
        // waited for is the one after, with nothing reserved.
        async Task<int> ReservedMugsAsync() => (await platform.GetFromJsonAsync<JsonArray>("/inventory/stock?sku=MUG-1"))!.Single()!["reserved"]!.GetValue<int>();
        await Marketplace.WaitAsync(async () => await ReservedMugsAsync() == 0 && await KitListedAtAsync(m, 1) && await FrQuantityAsync(m, "SPOON-1") == 2
                                                && await FrQuantityAsync(m, "MUG-1") == 4,
            "the hold ended (Shopify has the order and counts the mug) and the kit and its components listed at what is left, no unit counted twice", setup: m);

        // No longer a kit: the SKU is listed from its own Shopify stock again.
        (await platform.DeleteAsync("/inventory/kits/SET-1")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        // 39: the Sandbox tracks the kit's own variant, and the kit line of the order lowered it (a real store leaves it untracked).
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "SET-1") == 39, "SET-1 listed from its own stock", setup: m);
    }

    private static async Task<JsonNode> ShopifyOrderAsyncWhenThere(Marketplace m, string purchase)
    {
        await Marketplace.WaitAsync(async () => (await ShopifyOrdersAsync(m)).Any(o => o!["tags"]!.AsArray().Any(t => t!.GetValue<string>() == $"channel-order:{purchase}")),
            "the kit's order in Shopify", setup: m);
        return await ShopifyOrderAsync(m, purchase);
    }
}
