using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests.Security;

/// <summary>One marketplace account backs one live connection on the whole platform (issue 17, item 5): RMS names the
/// shop (shopMaster) and numbers it (the prefix of its order numbers), whatever the caller types.</summary>
public sealed class OneShopTests
{
    private static async Task<HttpResponseMessage> ConnectAsync(HttpClient client, ChannelHosts hosts, string secret, string key, string? shopUrl = null) =>
        await client.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "RMS", baseUrl = hosts.SandboxUrl + "/rms", credentials = new { serviceSecret = secret, licenseKey = key, shopUrl },
        });

    [Fact]
    public async Task The_same_RMS_shop_cannot_back_a_second_connection_whatever_the_tenant_or_the_shop_URL_typed()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "123123", url = "tokyo-tea", serviceSecret = "sec-one", licenseKey = "key-one" })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "456456", url = "osaka-cups", serviceSecret = "sec-two", licenseKey = "key-two" })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops/123123/license-keys", new { licenseKey = "key-one-renewed" })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        using var other = hosts.ClientFor(Guid.NewGuid(), "admin");

        var first = await ConnectAsync(hosts.Platform, hosts, "sec-one", "key-one");
        var again = await ConnectAsync(hosts.Platform, hosts, "sec-one", "key-one-renewed", shopUrl: "tokyo-tea");
        var otherTenant = await ConnectAsync(other, hosts, "sec-one", "key-one");
        var typedOtherwise = await ConnectAsync(other, hosts, "sec-one", "key-one-renewed", shopUrl: "another-name");
        var connection = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        var swapped = await hosts.Platform.PutAsJsonAsync($"/channels/rakuten-jp/connections/{connection["id"]}/credentials",
            new { credentials = new { serviceSecret = "sec-two", licenseKey = "key-two" } });
        var secondShop = await ConnectAsync(other, hosts, "sec-two", "key-two");

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        connection["externalId"]!.GetValue<string>().Should().Be("tokyo-tea", "the shop is what RMS says, not what was typed");
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        otherTenant.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await otherTenant.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>().Should().Contain("one shop, one connection");
        typedOtherwise.StatusCode.Should().BeOneOf(HttpStatusCode.Conflict, HttpStatusCode.UnprocessableEntity);
        swapped.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await swapped.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>().Should().Contain("osaka-cups").And.Contain("not to tokyo-tea");
        secondShop.StatusCode.Should().Be(HttpStatusCode.Created, "another shop is another connection");
        (await hosts.Platform.GetFromJsonAsync<JsonArray>("/channels/rakuten-jp/connections"))!.Should().ContainSingle();
        (await other.GetFromJsonAsync<JsonArray>("/channels/rakuten-jp/connections"))!.Single()!["externalId"]!.GetValue<string>().Should().Be("osaka-cups");
    }

    [Fact]
    public async Task The_shop_number_is_learned_from_RMS_s_order_numbers_and_an_order_numbered_for_another_shop_is_never_imported()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        var manage = await ManageNumberAsync(m);
        var before = (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>($"/channels/rakuten-jp/connections/{m.Rms}"))!;

        var own = await PlaceAsync(m, RmsOrder(manage, "MUG-1"));
        await PollAsync(m);
        var learned = (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>($"/channels/rakuten-jp/connections/{m.Rms}"))!;
        var stray = (await (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders", new
        {
            buyer = new { familyName = "楽天", firstName = "次郎", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1" },
            packages = new[] { new { items = new[] { new { manageNumber = manage, variantId = manage + "-v", merchantDefinedSkuId = "MUG-1", itemName = "マグ", price = 1500, units = 1 } } } },
            orderNumber = $"999999-{DateTime.UtcNow:yyyyMMdd}-0000000042",
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["orderNumber"]!.GetValue<string>();
        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Count == 1, "the shop's own order", setup: m);
        await Task.Delay(2000);

        before["accountNumber"].Should().BeNull("the shop had no order when it was connected");
        learned["accountNumber"]!.GetValue<string>().Should().Be(Marketplace.RmsShop);
        learned["health"]!.GetValue<string>().Should().Be("Healthy");
        (await OrdersAsync(m)).Select(o => o!["channelOrderId"]!.GetValue<string>()).Should().Equal(own);
        m.Hosts.Logs.Lines.Should().Contain(l => l.Contains(stray) && l.Contains("not imported"));
    }

    [Fact]
    public async Task A_shop_with_orders_is_numbered_on_connect()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "246810", url = "kyoto-knives", serviceSecret = "sec-k", licenseKey = "key-k" })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops/246810/orders", new
        {
            buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1" },
            packages = new[] { new { items = new[] { new { manageNumber = "knife", itemName = "包丁", price = 9000, units = 1 } } } },
        })).EnsureSuccessStatusCode();

        hosts.Clock.Now = DateTimeOffset.UtcNow.AddSeconds(2); // the platform's clock (frozen by the test host) after the order
        var created = await (await ConnectAsync(hosts.Platform, hosts, "sec-k", "key-k")).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();

        created!["accountNumber"]!.GetValue<string>().Should().Be("246810");
        created["externalId"]!.GetValue<string>().Should().Be("kyoto-knives");
    }
}
