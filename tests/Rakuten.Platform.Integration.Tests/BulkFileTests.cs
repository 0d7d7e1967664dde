using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using MiniExcelLibs;
using Rakuten.Platform.Integration.Tests.Infrastructure;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Bulk files (issue 21): fixed prices, kits and listings exported and imported as CSV and .xlsx — a dry run reports
/// every row before anything changes, a bad row names its column, and an import applies in one go or not at all.</summary>
public sealed class BulkFileTests
{
    private static HttpContent Csv(string text) => new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } };

    private static HttpContent Xlsx(IEnumerable<object> rows)
    {
        var stream = new MemoryStream();
        stream.SaveAs(rows, excelType: ExcelType.XLSX);
        return new ByteArrayContent(stream.ToArray())
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") },
        };
    }

    private static async Task<JsonObject> ReportAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(expected, body);
        var json = JsonNode.Parse(body)!.AsObject();
        return json["report"] as JsonObject ?? json;
    }

    private static JsonObject Row(JsonObject report, int row) => report["results"]!.AsArray().Single(r => r!["row"]!.GetValue<int>() == row)!.AsObject();

    [Fact]
    public async Task Prices_kits_and_listings_go_through_files_with_a_dry_run_and_a_bad_row_applies_nothing()
    {
        await using var m = await Marketplace.StartAsync([("Linen shirt", "SHIRT-1"), ("Mug", "MUG-1")], limitsOff: true);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync(), "Published", 4), "the listings published", meanwhile: m.NextFileSlot, setup: m);
        var api = m.Hosts.Platform;

        // Fixed prices, CSV: the dry run names the bad cell; the import refuses the whole file; nothing changes.
        const string bad = "sku,price,compare_at_price,currency\nSHIRT-1,990,1500,JPY\nMUG-1,12.5.0,,JPY\n";
        var dry = await ReportAsync(await api.PostAsync($"/catalog/connections/{m.Rms}/fixed-prices/import?dryRun=true", Csv(bad)), HttpStatusCode.OK);
        (dry["dryRun"]!.GetValue<bool>(), dry["applied"]!.GetValue<bool>()).Should().Be((true, false));
        Row(dry, 2)["outcome"]!.GetValue<string>().Should().Be("create");
        Row(dry, 3)["errors"]![0]!["column"]!.GetValue<string>().Should().Be("price");
        var refused = await ReportAsync(await api.PostAsync($"/catalog/connections/{m.Rms}/fixed-prices/import", Csv(bad)), HttpStatusCode.UnprocessableEntity);
        refused["applied"]!.GetValue<bool>().Should().BeFalse();
        (await api.GetFromJsonAsync<JsonObject>($"/catalog/connections/{m.Rms}/prices"))!["fixedPrices"]!.GetValue<int>().Should().Be(0, "a bad row applies nothing");
        var unknownColumn = await api.PostAsync($"/catalog/connections/{m.Rms}/fixed-prices/import", Csv("sku,prise\nSHIRT-1,990\n"));
        unknownColumn.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknownColumn.Content.ReadAsStringAsync()).Should().Contain("missing price").And.Contain("unknown prise");

        var applied = await ReportAsync(await api.PostAsync($"/catalog/connections/{m.Rms}/fixed-prices/import", Csv("sku,price,compare_at_price\nSHIRT-1,990,1500\n")), HttpStatusCode.OK);
        applied["applied"]!.GetValue<bool>().Should().BeTrue();
        await Marketplace.WaitAsync(async () => (await m.RmsItemsAsync()).Any(i => i!["variants"]!.AsObject().Single().Value!["standardPrice"]!.GetValue<string>() == "990"),
            "the imported price on RMS", setup: m);
        (await api.GetStringAsync($"/catalog/connections/{m.Rms}/fixed-prices/export")).Should().Contain("SHIRT-1,990,1500,JPY");

        // Kits, .xlsx: a component with no quantity is named on its row; fixed, the kit is defined.
        var kitDry = await ReportAsync(await api.PostAsync("/inventory/kits/import?dryRun=true", Xlsx(
        [
            new { kit_sku = "GIFT-1", component_sku = "MUG-1", quantity = 1 },
            new { kit_sku = "GIFT-1", component_sku = "SHIRT-1", quantity = 0 },
        ])), HttpStatusCode.OK);
        Row(kitDry, 2)["outcome"]!.GetValue<string>().Should().Be("create");
        Row(kitDry, 3)["errors"]![0]!["column"]!.GetValue<string>().Should().Be("quantity");
        await ReportAsync(await api.PostAsync("/inventory/kits/import", Xlsx(
        [
            new { kit_sku = "GIFT-1", component_sku = "MUG-1", quantity = 1 },
            new { kit_sku = "GIFT-1", component_sku = "SHIRT-1", quantity = 0 },
        ])), HttpStatusCode.UnprocessableEntity);
        (await api.GetFromJsonAsync<JsonArray>("/inventory/kits"))!.Should().BeEmpty("a bad row applies nothing");
        await ReportAsync(await api.PostAsync("/inventory/kits/import", Xlsx(
        [
            new { kit_sku = "GIFT-1", component_sku = "MUG-1", quantity = 1 },
            new { kit_sku = "GIFT-1", component_sku = "SHIRT-1", quantity = 2 },
        ])), HttpStatusCode.OK);
        var exported = new MemoryStream(await api.GetByteArrayAsync("/inventory/kits/export?format=xlsx"));
        exported.Query(useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object>>()
            .Select(r => $"{r["kit_sku"]} {r["component_sku"]} {r["quantity"]}").Should().Equal("GIFT-1 MUG-1 1", "GIFT-1 SHIRT-1 2");

        // Listings: exported, an action column filled in; a bad action refuses the file, the good one hides the shirt on RMS.
        var listings = await api.GetStringAsync($"/catalog/listings/export?connectionId={m.Rms}");
        var shirt = listings.Split('\n').Single(l => l.Contains("Linen shirt")).Split(',');
        var mug = listings.Split('\n').Single(l => l.Contains("Mug")).Split(',');
        await ReportAsync(await api.PostAsync("/catalog/listings/import",
            Csv($"product_id,connection_id,action\n{shirt[0]},{shirt[2]},hide\n{mug[0]},{mug[2]},shelve\n")), HttpStatusCode.UnprocessableEntity);
        (await m.ListingsAsync("RakutenJp")).Should().OnlyContain(l => l!["intent"]!.GetValue<string>() == "Listed", "a bad row applies nothing");
        var hidden = await ReportAsync(await api.PostAsync("/catalog/listings/import",
            Csv($"product_id,connection_id,action\n{shirt[0]},{shirt[2]},hide\n{mug[0]},{mug[2]},\n")), HttpStatusCode.OK);
        (Row(hidden, 2)["outcome"]!.GetValue<string>(), Row(hidden, 3)["outcome"]!.GetValue<string>()).Should().Be(("hide", "unchanged"));
        await Marketplace.WaitAsync(async () => (await m.RmsItemsAsync()).Count(i => i!["hideItem"]!.GetValue<bool>()) == 1, "the shirt hidden on RMS", setup: m);
    }
}
