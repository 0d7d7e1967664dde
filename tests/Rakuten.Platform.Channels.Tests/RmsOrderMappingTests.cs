using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Channels.RakutenJp.Rms;

namespace Rakuten.Platform.Channels.Tests;

/// <summary>The RMS adapter turns RMS's wire rules into the order's explicit fields, so Orders reads no RMS numbering.</summary>
public sealed class RmsOrderMappingTests
{
    private static JsonObject Order(int requestPrice, params (string ManageNumber, int Price)[] items) => new()
    {
        ["orderNumber"] = "123456-20261205-0000000001",
        ["orderDatetime"] = "2026-12-05T10:00:00+0900",
        ["requestPrice"] = requestPrice,
        ["totalPrice"] = requestPrice,
        ["postagePrice"] = 500,
        ["OrdererModel"] = new JsonObject { ["familyName"] = "楽天", ["firstName"] = "花子" },
        ["PackageModelList"] = new JsonArray(new JsonObject
        {
            ["basketId"] = "1",
            ["ItemModelList"] = new JsonArray(items.Select((item, i) => (JsonNode)new JsonObject
            {
                ["itemDetailId"] = $"d{i}", ["manageNumber"] = item.ManageNumber, ["itemName"] = "マグ", ["units"] = 1, ["price"] = item.Price,
                ["SkuModelList"] = new JsonArray(new JsonObject { ["merchantDefinedSkuId"] = "MUG-1", ["variantId"] = "v1" }),
            }).ToArray()),
        }),
    };

    [Fact]
    public void A_line_is_managed_only_under_a_v__manage_number_and_minus_9999_anywhere_means_amounts_not_determined()
    {
        var order = RmsOrderMapping.ToChannelOrder(Order(2000, ("v_mug", 1500), ("mug-001", 1500)));

        order.Lines.Select(l => l.Managed).Should().Equal(true, false);
        order.AmountsDetermined.Should().BeTrue();
        RmsOrderMapping.ToChannelOrder(Order(-9999, ("v_mug", 1500))).AmountsDetermined.Should().BeFalse();
        RmsOrderMapping.ToChannelOrder(Order(2000, ("v_mug", -9999))).AmountsDetermined.Should().BeFalse("a line price RMS has not fixed");
    }

    [Fact]
    public void What_the_mapping_does_not_read_is_kept_on_the_order_by_its_path_and_does_not_change_the_fingerprint()
    {
        var json = Order(2000, ("v_mug", 1500));
        json["memo"] = "ギフト包装希望";
        json["PackageModelList"]![0]!["ItemModelList"]![0]!["pointRate"] = 10;
        json["emptyField"] = "";

        var order = RmsOrderMapping.ToChannelOrder(json);

        order.Unmapped.Should().Contain("memo", "ギフト包装希望").And.Contain("PackageModelList[0].ItemModelList[0].pointRate", "10");
        order.Unmapped!.Keys.Should().NotContain(["emptyField", "orderNumber", "postagePrice", "PackageModelList[0].ItemModelList[0].price"]);
        json["memo"] = "変更";
        RmsOrderMapping.Fingerprint(RmsOrderMapping.ToChannelOrder(json), null).Should().Be(RmsOrderMapping.Fingerprint(order, null),
            "RMS's own bookkeeping must not make the sweep hand the order on again");
    }

    [Fact]
    public void The_fingerprint_ignores_the_verdicts_so_orders_fingerprinted_before_them_are_not_seen_as_changed()
    {
        var order = RmsOrderMapping.ToChannelOrder(Order(2000, ("v_mug", 1500)));

        RmsOrderMapping.Fingerprint(order with { AmountsDetermined = null, Lines = [order.Lines[0] with { Managed = null }] }, null)
            .Should().Be(RmsOrderMapping.Fingerprint(order, null));
        RmsOrderMapping.Fingerprint(order with { BuyerNotes = "置き配希望" }, null).Should().NotBe(RmsOrderMapping.Fingerprint(order, null));
    }
}
