using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;

namespace Rakuten.Platform.Sandbox.Tests;

public sealed class RmsOrderApiTests
{
    private static object Window(DateTimeOffset from, DateTimeOffset to) =>
        new { dateType = 1, startDatetime = SandboxHost.Jst(from), endDatetime = SandboxHost.Jst(to) };

    [Fact]
    public async Task Search_without_dateType_and_with_a_bad_start_is_refused_with_both_messages_and_null_lists()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, body, _) = await sandbox.OrderApiAsync("searchOrder",
            new { startDatetime = "10-14T00:00:00+0900", endDatetime = "2017-12-14T00:00:00+0900" });

        status.Should().Be(400);
        body!["orderNumberList"].Should().BeNull();
        body["PaginationResponseModel"].Should().BeNull();
        var codes = body["MessageModelList"]!.AsArray().Select(m => m!["messageCode"]!.GetValue<string>());
        codes.Should().Equal("ORDER_EXT_API_SEARCH_ORDER_ERROR_009", "ORDER_EXT_API_SEARCH_ORDER_ERROR_011");
        body["MessageModelList"]![0]!["message"]!.GetValue<string>().Should().Be("dateTypeの項目を指定して下さい。");
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00+09:00")]
    [InlineData("2026-01-01T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00")]
    [InlineData("2026/01/01 00:00:00+0900")]
    public async Task Search_dates_are_accepted_only_as_yyyy_MM_ddTHH_mm_ss_plus0900(string start)
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, body, _) = await sandbox.OrderApiAsync("searchOrder", new { dateType = 1, startDatetime = start, endDatetime = "2026-01-02T00:00:00+0900" });

        status.Should().Be(400);
        body!["MessageModelList"]![0]!["messageCode"]!.GetValue<string>().Should().Be("ORDER_EXT_API_SEARCH_ORDER_ERROR_011");
        body["MessageModelList"]![0]!["message"]!.GetValue<string>().Should().Be("startDatetimeの書式が不正です。");
    }

    [Fact]
    public async Task Search_windows_longer_than_63_days_or_starting_over_730_days_ago_are_refused()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var now = DateTimeOffset.UtcNow;

        var tooLong = await sandbox.OrderApiAsync("searchOrder", Window(now.AddDays(-64), now));
        var tooOld = await sandbox.OrderApiAsync("searchOrder", Window(now.AddDays(-731), now.AddDays(-700)));
        var fine = await sandbox.OrderApiAsync("searchOrder", Window(now.AddDays(-63), now));

        tooLong.Status.Should().Be(400);
        tooLong.Body!["MessageModelList"]![0]!["message"]!.GetValue<string>().Should().Contain("63日");
        tooOld.Status.Should().Be(400);
        tooOld.Body!["MessageModelList"]![0]!["message"]!.GetValue<string>().Should().Contain("730日");
        fine.Status.Should().Be(200);
    }

    [Fact]
    public async Task Search_pages_at_most_1000_and_reports_no_results_with_INFO_102_and_null_pagination()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var now = DateTimeOffset.UtcNow;

        var tooMany = await sandbox.OrderApiAsync("searchOrder", new
        {
            dateType = 1, startDatetime = SandboxHost.Jst(now.AddDays(-1)), endDatetime = SandboxHost.Jst(now.AddDays(1)),
            PaginationRequestModel = new { requestRecordsAmount = 1001, requestPage = 1 },
        });
        var none = await sandbox.OrderApiAsync("searchOrder", Window(now.AddDays(-1), now.AddDays(1)));

        tooMany.Status.Should().Be(400);
        none.Status.Should().Be(200);
        none.Body!["orderNumberList"]!.AsArray().Should().BeEmpty();
        none.Body["MessageModelList"]![0]!["messageCode"]!.GetValue<string>().Should().Be("ORDER_EXT_API_SEARCH_ORDER_INFO_102");
        none.Body["PaginationResponseModel"]!["totalRecordsAmount"].Should().BeNull();
    }

    [Fact]
    public async Task Search_finds_placed_orders_by_status_and_pages_through_them()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var numbers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            numbers.Add(await sandbox.PlaceOrderAsync());
        }

        var now = DateTimeOffset.UtcNow;
        var page2 = await sandbox.OrderApiAsync("searchOrder", new
        {
            dateType = 1, orderProgressList = new[] { 100, 300 },
            startDatetime = SandboxHost.Jst(now.AddDays(-1)), endDatetime = SandboxHost.Jst(now.AddDays(1)),
            PaginationRequestModel = new { requestRecordsAmount = 2, requestPage = 2, SortModelList = new[] { new { sortColumn = 1, sortDirection = 1 } } },
        });
        var shipped = await sandbox.OrderApiAsync("searchOrder", new
        {
            dateType = 1, orderProgressList = new[] { 500 },
            startDatetime = SandboxHost.Jst(now.AddDays(-1)), endDatetime = SandboxHost.Jst(now.AddDays(1)),
        });

        page2.Body!["orderNumberList"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(numbers[2], numbers[3]);
        page2.Body["PaginationResponseModel"]!["totalRecordsAmount"]!.GetValue<int>().Should().Be(5);
        page2.Body["PaginationResponseModel"]!["totalPages"]!.GetValue<int>().Should().Be(3);
        shipped.Body!["orderNumberList"]!.AsArray().Should().BeEmpty();
        numbers.Should().AllSatisfy(n => n.Should().MatchRegex(@"^123456-\d{8}-\d{10}$"));
    }

    [Fact]
    public async Task GetOrder_needs_a_version_takes_at_most_100_numbers_and_answers_INFO_102_per_unknown_number()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var known = await sandbox.PlaceOrderAsync();

        var noVersion = await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { known } });
        var tooMany = await sandbox.OrderApiAsync("getOrder", new { orderNumberList = Enumerable.Range(0, 101).Select(i => $"123456-20260101-{i:D10}"), version = 10 });
        var mixed = await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { known, "123456-20260101-0000009999" }, version = 10 });

        noVersion.Status.Should().Be(400);
        noVersion.Body!["MessageModelList"]![0]!["message"]!.GetValue<string>().Should().Be("versionの項目を指定して下さい。");
        tooMany.Status.Should().Be(400);
        mixed.Status.Should().Be(200);
        mixed.Body!["OrderModelList"]!.AsArray().Should().ContainSingle();
        var messages = mixed.Body["MessageModelList"]!.AsArray();
        messages[0]!["messageCode"]!.GetValue<string>().Should().Be("ORDER_EXT_API_GET_ORDER_INFO_101");
        messages[1]!["messageCode"]!.GetValue<string>().Should().Be("ORDER_EXT_API_GET_ORDER_INFO_102");
        messages[1]!["orderNumber"]!.GetValue<string>().Should().Be("123456-20260101-0000009999");
        mixed.Body["version"]!.GetValue<int>().Should().Be(10);
    }

    [Fact]
    public async Task SkuModelList_appears_from_version_7_and_undetermined_amounts_are_minus_9999()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var number = await sandbox.PlaceOrderAsync(new
        {
            buyer = SandboxHost.Person,
            amountsUndetermined = true,
            packages = new[] { new { items = new[] { new { manageNumber = "V_Cap", variantId = "V-Red", itemName = "帽子", price = 3000 } } } },
        });

        var v6 = await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { number }, version = 6 });
        var v10 = await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { number }, version = 10 });

        var item6 = v6.Body!["OrderModelList"]![0]!["PackageModelList"]![0]!["ItemModelList"]![0]!.AsObject();
        var order10 = v10.Body!["OrderModelList"]![0]!;
        var item10 = order10["PackageModelList"]![0]!["ItemModelList"]![0]!;
        item6.ContainsKey("SkuModelList").Should().BeFalse();
        item10["SkuModelList"]![0]!["variantId"]!.GetValue<string>().Should().Be("V-Red", "variant ids keep their case");
        item10["manageNumber"]!.GetValue<string>().Should().Be("v_cap", "manage numbers are lower case");
        order10["requestPrice"]!.GetValue<int>().Should().Be(-9999);
        order10["totalPrice"]!.GetValue<int>().Should().Be(-9999);
    }

    [Fact]
    public async Task Orders_move_100_to_300_on_confirm_and_to_500_once_every_basket_has_a_ship_date()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var number = await sandbox.PlaceOrderAsync();

        var confirm = await sandbox.OrderApiAsync("confirmOrder", new { orderNumberList = new[] { number } });
        var again = await sandbox.OrderApiAsync("confirmOrder", new { orderNumberList = new[] { number } });
        var order = (await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { number }, version = 10 })).Body!["OrderModelList"]![0]!;
        var basketId = order["PackageModelList"]![0]!["basketId"]!.GetValue<long>();
        var shipping = await sandbox.OrderApiAsync("updateOrderShipping", new
        {
            orderNumber = number,
            BasketidModelList = new[] { new { basketId, ShippingModelList = new[] { new { deliveryCompany = "1001", shippingNumber = "1234-5678-9012", shippingDate = "2026-11-22" } } } },
        });
        var shipped = (await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { number }, version = 10 })).Body!["OrderModelList"]![0]!;

        confirm.Body!["MessageModelList"]![0]!["messageCode"]!.GetValue<string>().Should().Be("ORDER_EXT_API_CONFIRM_ORDER_INFO_101");
        again.Body!["MessageModelList"]![0]!["messageCode"]!.GetValue<string>().Should().Be("ORDER_EXT_API_CONFIRM_ORDER_ERROR_103");
        order["orderProgress"]!.GetValue<int>().Should().Be(300);
        shipping.Status.Should().Be(200);
        shipping.Body!["MessageModelList"]![0]!["messageCode"]!.GetValue<string>().Should().Be("ORDER_EXT_API_UPDATE_ORDERSHIPPING_INFO_101");
        shipping.Body["MessageModelList"]![0]!["dataNumber"]!.GetValue<int>().Should().Be(1);
        shipped["orderProgress"]!.GetValue<int>().Should().Be(500);
        shipped["shippingCmplRptDatetime"]!.GetValue<string>().Should().EndWith("+0900");
        var record = shipped["PackageModelList"]![0]!["ShippingModelList"]![0]!;
        record["deliveryCompanyName"]!.GetValue<string>().Should().Be("ヤマト運輸");
        record["shippingNumber"]!.GetValue<string>().Should().Be("1234-5678-9012");
    }

    [Fact]
    public async Task Shipping_reports_need_carrier_codes_as_strings_ISO_dates_and_tracking_numbers_of_at_most_120_characters()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var number = await sandbox.PlaceOrderAsync();
        await sandbox.OrderApiAsync("confirmOrder", new { orderNumberList = new[] { number } });
        var order = (await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { number }, version = 10 })).Body!["OrderModelList"]![0]!;
        var basketId = order["PackageModelList"]![0]!["basketId"]!.GetValue<long>();

        var bad = await sandbox.OrderApiAsync("updateOrderShipping", new
        {
            orderNumber = number,
            BasketidModelList = new[]
            {
                new
                {
                    basketId,
                    ShippingModelList = new object[]
                    {
                        new { deliveryCompany = "佐川急便" },
                        new { deliveryCompany = "1002", shippingDate = "2026/11/22" },
                        new { deliveryCompany = "1032" },
                        new { deliveryCompany = "1003", shippingNumber = new string('9', 121) },
                    },
                },
            },
        });
        var unchanged = (await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { number }, version = 10 })).Body!["OrderModelList"]![0]!;

        bad.Status.Should().Be(400);
        var messages = bad.Body!["MessageModelList"]!.AsArray();
        messages.Select(m => m!["dataNumber"]!.GetValue<int>()).Should().Equal(1, 2, 3, 4);
        messages.Select(m => m!["message"]!.GetValue<string>()).Should().Equal(
            "deliveryCompanyの書式が不正です。", "shippingDateの書式が不正です。", "deliveryCompanyの書式が不正です。", "shippingNumberの書式が不正です。");
        unchanged["PackageModelList"]![0]!["ShippingModelList"]!.AsArray().Should().BeEmpty("nothing is applied when a record is invalid");
    }

    [Fact]
    public async Task Cancellation_is_allowed_before_shipping_only()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var open = await sandbox.PlaceOrderAsync();
        var shipped = await sandbox.PlaceOrderAsync();
        (await sandbox.Client.PostAsJsonAsync($"/control/rms/shops/{SandboxHost.ShopId}/orders/{shipped}/progress", new { orderProgress = 500 })).EnsureSuccessStatusCode();

        var ok = await sandbox.OrderApiAsync("cancelOrder", new { orderNumber = open, inventoryRestoreType = 1, changeReasonDetailApply = 8 });
        var refused = await sandbox.OrderApiAsync("cancelOrder", new { orderNumber = shipped, inventoryRestoreType = 1, changeReasonDetailApply = 8 });
        var badReason = await sandbox.OrderApiAsync("cancelOrder", new { orderNumber = open, inventoryRestoreType = 1, changeReasonDetailApply = 7 });
        var cancelled = (await sandbox.OrderApiAsync("getOrder", new { orderNumberList = new[] { open }, version = 10 })).Body!["OrderModelList"]![0]!;

        ok.Body!["MessageModelList"]![0]!["messageCode"]!.GetValue<string>().Should().Be("ORDER_EXT_API_CANCEL_ORDER_INFO_101");
        refused.Status.Should().Be(400);
        badReason.Status.Should().Be(400);
        cancelled["orderProgress"]!.GetValue<int>().Should().Be(900);
        cancelled["ChangeReasonModelList"]!.AsArray().Should().Contain(r => r!["changeReasonDetail"]!.GetValue<int>() == 8);
    }
}
