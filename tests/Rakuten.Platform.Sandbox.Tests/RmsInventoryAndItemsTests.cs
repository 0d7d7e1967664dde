using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;

namespace Rakuten.Platform.Sandbox.Tests;

public sealed class RmsInventoryAndItemsTests
{
    private static object Item(string title = "Tシャツ", int selectors = 1, int values = 2, string variantId = "V-M") => new
    {
        title,
        itemType = "NORMAL",
        genreId = "100371",
        hideItem = false,
        variantSelectors = Enumerable.Range(0, selectors).Select(s => new
        {
            key = $"k{s}", displayName = $"選択{s}", values = Enumerable.Range(0, values).Select(v => new { displayValue = $"v{v}" }),
        }),
        variants = new Dictionary<string, object>
        {
            [variantId] = new
            {
                merchantDefinedSkuId = "TS-M",
                standardPrice = "1200",
                selectorValues = Enumerable.Range(0, selectors).ToDictionary(s => $"k{s}", _ => "v0"),
                articleNumber = new { exemptionReason = 5 },
            },
        },
    };

    private static async Task SeedItem(SandboxHost sandbox, string manageNumber = "v_tshirt")
    {
        var (status, _, _) = await sandbox.RmsAsync(HttpMethod.Put, $"/es/2.0/items/manage-numbers/{manageNumber}", Item());
        status.Should().BeOneOf(201, 204);
    }

    [Fact]
    public async Task Bulk_upsert_takes_1_to_400_entries_and_refuses_the_whole_call_for_one_bad_entry()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await SeedItem(sandbox);
        var tooMany = Enumerable.Range(0, 401).Select(i => new { manageNumber = "v_tshirt", variantId = $"v{i}", mode = "ABSOLUTE", quantity = 1 });

        var over = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert", new { inventories = tooMany });
        await Task.Delay(1100);
        var oneBad = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert", new
        {
            inventories = new object[]
            {
                new { manageNumber = "v_tshirt", variantId = "V-M", mode = "ABSOLUTE", quantity = 5 },
                new { manageNumber = "v_tshirt", variantId = "V-L", mode = "ABSOLUTE", quantity = 100000 },
            },
        });
        var stock = await sandbox.Client.GetFromJsonAsync<JsonArray>($"/control/rms/shops/{SandboxHost.ShopId}/inventory");

        over.Status.Should().Be(400);
        oneBad.Status.Should().Be(400);
        oneBad.Body!["errors"]![0]!["code"]!.GetValue<string>().Should().Be("IE0003");
        oneBad.Body["errors"]![0]!["metadata"]!["propertyPath"]!.GetValue<string>().Should().Be("inventories[1].quantity");
        stock.Should().BeEmpty("nothing of a refused call is applied");
    }

    [Fact]
    public async Task A_new_SKU_needs_ABSOLUTE_then_RELATIVE_adds_and_the_call_answers_204()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await SeedItem(sandbox);

        var relativeFirst = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert",
            new { inventories = new[] { new { manageNumber = "v_tshirt", variantId = "V-M", mode = "RELATIVE", quantity = 3 } } });
        await Task.Delay(1100);
        var absolute = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert",
            new { inventories = new[] { new { manageNumber = "V_TSHIRT", variantId = "V-M", mode = "ABSOLUTE", quantity = 10 } } });
        await Task.Delay(1100);
        var relative = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert",
            new { inventories = new[] { new { manageNumber = "v_tshirt", variantId = "V-M", mode = "RELATIVE", quantity = -4 } } });
        var read = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-get",
            new { inventories = new[] { new { manageNumber = "v_tshirt", variantId = "V-M" }, new { manageNumber = "v_tshirt", variantId = "v-m" } } });

        relativeFirst.Status.Should().Be(400);
        absolute.Status.Should().Be(204);
        absolute.Body.Should().BeNull();
        relative.Status.Should().Be(204);
        var found = read.Body!["inventories"]!.AsArray();
        found.Should().ContainSingle("variant ids are case-sensitive");
        found[0]!["quantity"]!.GetValue<int>().Should().Be(6);
        found[0]!["manageNumber"]!.GetValue<string>().Should().Be("v_tshirt", "manage numbers are lower-cased");
        found[0]!["updated"]!.GetValue<string>().Should().EndWith("+09:00");
    }

    [Fact]
    public async Task Stock_of_an_unknown_item_is_accepted_but_cannot_be_seen()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var upsert = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert",
            new { inventories = new[] { new { manageNumber = "ghost", variantId = "g1", mode = "ABSOLUTE", quantity = 2 } } });
        var get = await sandbox.RmsAsync(HttpMethod.Get, "/es/2.0/inventories/manage-numbers/ghost/variants/g1");

        upsert.Status.Should().Be(204);
        get.Status.Should().Be(404);
        get.Body!["errors"]![0]!["code"]!.GetValue<string>().Should().Be("GE0014");
    }

    [Fact]
    public async Task Bulk_upsert_is_limited_to_one_call_per_second_and_bulk_get_to_five()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var upsert = new { inventories = new[] { new { manageNumber = "v_a", variantId = "a", mode = "ABSOLUTE", quantity = 1 } } };
        var get = new { inventories = new[] { new { manageNumber = "v_a", variantId = "a" } } };

        var upserts = new List<int>();
        for (var i = 0; i < 2; i++) upserts.Add((await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert", upsert)).Status);
        var gets = new List<int>();
        for (var i = 0; i < 6; i++) gets.Add((await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-get", get)).Status);

        upserts.Should().Equal(204, 429);
        gets.Should().Equal(200, 200, 200, 200, 200, 429);
    }

    [Fact]
    public async Task Identifiers_longer_than_32_bytes_are_refused_with_IE0004_and_the_property_path()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, body, _) = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-upsert",
            new { inventories = new[] { new { manageNumber = new string('m', 33), variantId = "a", mode = "ABSOLUTE", quantity = 1 } } });

        status.Should().Be(400);
        body!["errors"]![0]!["code"]!.GetValue<string>().Should().Be("IE0004");
        body["errors"]![0]!["message"]!.GetValue<string>().Should().Be("Max length of manageNumber must be within 32 bytes.");
        body["errors"]![0]!["metadata"]!["propertyPath"]!.GetValue<string>().Should().Be("inventories[0].manageNumber");
    }

    [Fact]
    public async Task Items_upsert_replaces_the_whole_item_and_patch_only_what_it_names()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var created = await sandbox.RmsAsync(HttpMethod.Put, "/es/2.0/items/manage-numbers/V_Shirt", Item());
        var patched = await sandbox.RmsAsync(HttpMethod.Patch, "/es/2.0/items/manage-numbers/v_shirt", new { hideItem = true });
        var afterPatch = (await sandbox.RmsAsync(HttpMethod.Get, "/es/2.0/items/manage-numbers/v_shirt")).Body!;
        var replaced = await sandbox.RmsAsync(HttpMethod.Put, "/es/2.0/items/manage-numbers/v_shirt", Item(title: "Tシャツ 2"));
        var afterPut = (await sandbox.RmsAsync(HttpMethod.Get, "/es/2.0/items/manage-numbers/v_shirt")).Body!;

        created.Status.Should().Be(201);
        created.Body!["manageNumber"]!.GetValue<string>().Should().Be("v_shirt");
        patched.Status.Should().Be(204);
        afterPatch["hideItem"]!.GetValue<bool>().Should().BeTrue();
        afterPatch["title"]!.GetValue<string>().Should().Be("Tシャツ");
        replaced.Status.Should().Be(204);
        afterPut["title"]!.GetValue<string>().Should().Be("Tシャツ 2");
        afterPut["hideItem"]!.GetValue<bool>().Should().BeFalse("a PUT is a full replacement");
        afterPut["variants"]!["V-M"]!["merchantDefinedSkuId"]!.GetValue<string>().Should().Be("TS-M");
    }

    [Theory]
    [InlineData(7, 2, "variantSelectors")]
    [InlineData(1, 41, "variantSelectors[0].values")]
    public async Task Items_with_more_than_6_selectors_or_40_values_are_refused(int selectors, int values, string path)
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, body, _) = await sandbox.RmsAsync(HttpMethod.Put, "/es/2.0/items/manage-numbers/v_many", Item(selectors: selectors, values: values));

        status.Should().Be(400);
        body!["errors"]![0]!["metadata"]!["propertyPath"]!.GetValue<string>().Should().Be(path);
    }

    [Fact]
    public async Task Items_bulk_get_takes_at_most_50_omits_unknown_numbers_and_refuses_duplicates()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await SeedItem(sandbox, "v_one");

        var found = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/items/bulk-get", new { manageNumbers = new[] { "V_ONE", "v_missing" } });
        var over = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/items/bulk-get", new { manageNumbers = Enumerable.Range(0, 51).Select(i => $"v_{i}") });
        var duplicate = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/items/bulk-get", new { manageNumbers = new[] { "v_one", "V_ONE" } });

        found.Body!["results"]!.AsArray().Select(r => r!["manageNumber"]!.GetValue<string>()).Should().Equal("v_one");
        over.Status.Should().Be(400);
        duplicate.Status.Should().Be(400);
        duplicate.Body!["errors"]![0]!["code"]!.GetValue<string>().Should().Be("IE1106");
    }
}
