using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Shopify → Catalog in one embedded Host (in-memory bus, SQLite) with its own Sandbox.</summary>
public sealed class CatalogFlowTests
{
    [Fact]
    public async Task Products_imported_from_Shopify_reach_the_catalog_and_a_shared_SKU_is_refused_naming_both_products()
    {
        var data = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests", "catalog-" + Guid.NewGuid().ToString("N")[..8]);
        await using var host = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Platform:Mode"] = "Embedded",
            ["Platform:DataDirectory"] = data,
            ["Demo:SeedConnections"] = "true",
        }, "services/Host");
        await host.UseDemoTokenAsync(data);
        string? connection = null;
        await host.WaitUntilAsync(async () =>
        {
            connection = (await host.Http.GetFromJsonAsync<JsonArray>("/channels/shopify/connections"))!.FirstOrDefault()?["id"]?.GetValue<string>();
            return connection is not null;
        }, TimeSpan.FromSeconds(60), "the demo Shopify connection");

        foreach (var (title, sku) in new[] { ("T-shirt", "SHARED-1"), ("Mug", "SHARED-1"), ("Cap", "CAP-1") })
        {
            (await host.Http.PostAsJsonAsync("/control/shopify/shops/demo-store/products", new
            {
                title, variants = new[] { new { sku, price = 1000m } },
            })).EnsureSuccessStatusCode();
        }

        // A job: 202, then its progress until Shopify's three products are read.
        var import = await JobPolling.RunAsync(host.Http, $"/channels/shopify/connections/{connection}/import-products");
        (import["state"]!.GetValue<string>(), import["done"]!.GetValue<int>(), import["total"]!.GetValue<int>()).Should().Be(("Succeeded", 3, 3));
        import["report"]!.GetValue<string>().Should().StartWith("3 product(s) read from Shopify");

        JsonArray? conflicts = null;
        await host.WaitUntilAsync(async () =>
        {
            var products = await host.Http.GetFromJsonAsync<JsonArray>("/catalog/products");
            conflicts = await host.Http.GetFromJsonAsync<JsonArray>("/catalog/sku-conflicts");
            return products!.Count == 3 && conflicts!.Count == 1;
        }, TimeSpan.FromSeconds(30), "three products in the catalog and one SKU conflict");

        conflicts![0]!["sku"]!.GetValue<string>().Should().Be("SHARED-1");
        conflicts[0]!["products"]!.AsArray().Select(p => p!.GetValue<string>()).Should().BeEquivalentTo(["Mug", "T-shirt"]);
        conflicts[0]!["reason"]!.GetValue<string>().Should().Contain("must be unique");
    }
}
