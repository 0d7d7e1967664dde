using System.Text.Json.Nodes;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary>Renders an order as getOrder's OrderModel (reference §3.4) for a requested version: SkuModelList
/// from version 7, goodsTax only before 8, amounts as integer JPY and -9999 where not yet determined.</summary>
public static class OrderModelJson
{
    private const int Undetermined = -9999;

    public static JsonObject Render(RmsOrder o, int version)
    {
        var goods = o.Packages.Sum(p => p.Items.Sum(i => i.Price * i.Units));
        var postage = o.Packages.Sum(p => p.PostagePrice);
        var coupons = o.Coupons.Sum(c => c.Price * c.Units);
        var shopCoupons = o.Coupons.Where(c => c.Capital == 1).Sum(c => c.Price * c.Units);
        var total = goods + postage;
        var request = total - coupons - o.UsedPoint;
        var und = o.AmountsUndetermined;

        var model = new JsonObject
        {
            ["orderNumber"] = o.OrderNumber,
            ["orderProgress"] = o.OrderProgress,
            ["subStatusId"] = null,
            ["subStatusName"] = null,
            ["orderDatetime"] = RmsGateway.Jst(o.OrderDatetime),
            ["shopOrderCfmDatetime"] = o.ShopOrderCfmDatetime is { } c ? RmsGateway.Jst(c) : null,
            ["orderFixDatetime"] = o.OrderFixDatetime is { } f ? RmsGateway.Jst(f) : null,
            ["shippingInstDatetime"] = null,
            ["shippingCmplRptDatetime"] = o.ShippingCmplRptDatetime is { } s ? RmsGateway.Jst(s) : null,
            ["cancelDueDate"] = null,
            ["deliveryDate"] = null,
            ["shippingTerm"] = o.ShippingTerm,
            ["remarks"] = o.Remarks,
            ["giftCheckFlag"] = o.GiftCheckFlag,
            ["socialGiftFlag"] = o.Packages.Any(p => p.Sender is null) ? 1 : 0,
            ["severalSenderFlag"] = o.Packages.Count > 1 ? 1 : 0,
            ["equalSenderFlag"] = o.Packages.Count == 1 && o.Packages[0].Sender == o.Orderer ? 1 : 0,
            ["isolatedIslandFlag"] = 0,
            ["rakutenMemberFlag"] = 1,
            ["carrierCode"] = 0,
            ["emailCarrierCode"] = 0,
            ["orderType"] = 1,
            ["reserveNumber"] = null,
            ["reserveDeliveryCount"] = null,
            ["cautionDisplayType"] = 0,
            ["rakutenConfirmFlag"] = 0,
            ["goodsPrice"] = goods,
            ["postagePrice"] = und ? Undetermined : postage,
            ["deliveryPrice"] = 0,
            ["paymentCharge"] = 0,
            ["paymentChargeTaxRate"] = 0.1,
            ["totalPrice"] = und ? Undetermined : total,
            ["requestPrice"] = und ? Undetermined : request,
            ["couponAllTotalPrice"] = coupons,
            ["couponShopPrice"] = shopCoupons,
            ["couponOtherPrice"] = coupons - shopCoupons,
            ["additionalFeeOccurAmountToUser"] = 0,
            ["additionalFeeOccurAmountToShop"] = 0,
            ["asurakuFlag"] = o.AsurakuFlag,
            ["drugFlag"] = 0,
            ["dealFlag"] = 0,
            ["membershipType"] = 0,
            ["memo"] = null,
            ["operator"] = null,
            ["mailPlugSentence"] = null,
            ["modifyFlag"] = 0,
            ["OrdererModel"] = Orderer(o),
            ["SettlementModel"] = new JsonObject
            {
                ["settlementMethodCode"] = o.SettlementMethodCode,
                ["settlementMethod"] = SettlementName(o.SettlementMethodCode),
                ["rpaySettlementFlag"] = 1,
                ["cardName"] = o.SettlementMethodCode == 1 ? "VISA" : null,
                ["cardNumber"] = o.SettlementMethodCode == 1 ? "XXXX-XXXX-XXXX-0015" : null,
                ["cardOwner"] = null,
                ["cardYm"] = null,
                ["cardPayType"] = o.SettlementMethodCode == 1 ? 0 : null,
                ["cardInstallmentDesc"] = null,
            },
            ["DeliveryModel"] = new JsonObject { ["deliveryName"] = o.DeliveryName, ["deliveryClass"] = 0 },
            ["PointModel"] = new JsonObject { ["usedPoint"] = o.UsedPoint },
            ["WrappingModel1"] = o.GiftCheckFlag == 1
                ? new JsonObject { ["title"] = 1, ["name"] = "ギフト包装", ["price"] = 0, ["includeTaxFlag"] = 1, ["deleteWrappingFlag"] = 0, ["taxRate"] = 0.1, ["taxPrice"] = 0 }
                : null,
            ["WrappingModel2"] = null,
            ["PackageModelList"] = new JsonArray(o.Packages.Select(p => (JsonNode)Package(p, version)).ToArray()),
            ["CouponModelList"] = new JsonArray(o.Coupons.Select(c => (JsonNode)new JsonObject
            {
                ["couponCode"] = c.Code,
                ["itemId"] = c.ItemId,
                ["couponName"] = c.Name,
                ["couponSummary"] = c.Name,
                ["couponCapital"] = c.Capital switch { 1 => "ショップ", 2 => "メーカー", _ => "サービス" },
                ["couponCapitalCode"] = c.Capital,
                ["expiryDate"] = null,
                ["couponPrice"] = c.Price,
                ["couponUnit"] = c.Units,
                ["couponTotalPrice"] = c.Price * c.Units,
                ["itemDetailId"] = null,
            }).ToArray()),
            ["ChangeReasonModelList"] = new JsonArray(o.ChangeReasons.Select(r => (JsonNode)r.DeepClone()).ToArray()),
            ["TaxSummaryModelList"] = new JsonArray(new JsonObject
            {
                ["taxRate"] = 0.1,
                ["reqPrice"] = und ? Undetermined : request,
                ["reqPriceTax"] = und ? Undetermined : (int)Math.Floor(request * 0.1 / 1.1),
                ["totalPrice"] = und ? Undetermined : total,
                ["paymentCharge"] = 0,
                ["couponPrice"] = coupons,
                ["point"] = o.UsedPoint,
            }),
            ["DueDateModelList"] = new JsonArray(),
            ["deliveryCertPrgFlag"] = 0,
            ["oneDayOperationFlag"] = 0,
        };
        if (version < 8)
        {
            model["goodsTax"] = (int)Math.Floor(goods * 0.1 / 1.1);
        }

        // A field the test corrupted (a payload the platform cannot read, as a marketplace bug would send).
        foreach (var (field, value) in o.Corruptions)
        {
            model[field] = value?.DeepClone();
        }

        return model;
    }

    private static JsonObject Package(RmsPackage p, int version) => new()
    {
        ["basketId"] = p.BasketId,
        ["postagePrice"] = p.PostagePrice,
        ["postageTaxRate"] = 0.1,
        ["deliveryPrice"] = 0,
        ["deliveryTaxRate"] = 0.1,
        ["goodsPrice"] = p.Items.Sum(i => i.Price * i.Units),
        ["totalPrice"] = p.Items.Sum(i => i.Price * i.Units) + p.PostagePrice,
        ["noshi"] = null,
        ["packageDeleteFlag"] = 0,
        ["SenderModel"] = Sender(p.Sender),
        ["ItemModelList"] = new JsonArray(p.Items.Select(i => (JsonNode)Item(i, version)).ToArray()),
        ["ShippingModelList"] = new JsonArray(p.Shippings.Select(s => (JsonNode)new JsonObject
        {
            ["shippingDetailId"] = s.ShippingDetailId,
            ["shippingNumber"] = s.ShippingNumber,
            ["deliveryCompany"] = s.DeliveryCompany,
            ["deliveryCompanyName"] = s.DeliveryCompany is { } code && Carriers.Names.TryGetValue(code, out var name) ? name : null,
            ["shippingDate"] = s.ShippingDate,
        }).ToArray()),
        ["DeliveryCvsModel"] = null,
        ["defaultDeliveryCompanyCode"] = p.DefaultDeliveryCompanyCode ?? "1000",
        ["dropOffFlag"] = 0,
        ["dropOffLocation"] = null,
    };

    private static JsonObject Item(RmsOrderItem i, int version)
    {
        var item = new JsonObject
        {
            ["itemDetailId"] = i.ItemDetailId,
            ["itemName"] = i.ItemName,
            ["itemId"] = i.ItemId,
            ["itemNumber"] = i.ManageNumber,
            ["manageNumber"] = i.ManageNumber,
            ["price"] = i.Price,
            ["units"] = i.Units,
            ["includePostageFlag"] = 0,
            ["includeTaxFlag"] = 1,
            ["includeCashOnDeliveryPostageFlag"] = 0,
            ["selectedChoice"] = i.SelectedChoice,
            ["pointRate"] = 1,
            ["pointType"] = 0,
            ["inventoryType"] = i.SkuInfo is null ? 1 : 2,
            ["delvdateInfo"] = null,
            ["restoreInventoryFlag"] = 0,
            ["dealFlag"] = 0,
            ["drugFlag"] = 0,
            ["deleteItemFlag"] = 0,
            ["taxRate"] = i.TaxRate,
            ["priceTaxIncl"] = i.Price,
            ["isSingleItemShipping"] = 0,
        };
        if (version >= 7)
        {
            item["SkuModelList"] = new JsonArray(new JsonObject
            {
                ["variantId"] = i.VariantId ?? "normal-inventory",
                ["merchantDefinedSkuId"] = i.MerchantDefinedSkuId,
                ["skuInfo"] = i.SkuInfo,
            });
        }

        return item;
    }

    private static JsonObject Orderer(RmsOrder o) => new()
    {
        ["zipCode1"] = Zip(o.Orderer.ZipCode).Item1,
        ["zipCode2"] = Zip(o.Orderer.ZipCode).Item2,
        ["prefecture"] = o.Orderer.Prefecture,
        ["city"] = o.Orderer.City,
        ["subAddress"] = o.Orderer.SubAddress,
        ["familyName"] = o.Orderer.FamilyName,
        ["firstName"] = o.Orderer.FirstName,
        ["familyNameKana"] = o.Orderer.FamilyNameKana,
        ["firstNameKana"] = o.Orderer.FirstNameKana,
        ["phoneNumber1"] = Phone(o.Orderer.PhoneNumber, 0),
        ["phoneNumber2"] = Phone(o.Orderer.PhoneNumber, 1),
        ["phoneNumber3"] = Phone(o.Orderer.PhoneNumber, 2),
        // RMS hands out a relay address, never the buyer's own (reference §3.4).
        ["emailAddress"] = o.Email,
        ["sex"] = null,
        ["birthYear"] = null,
        ["birthMonth"] = null,
        ["birthDay"] = null,
    };

    /// <summary>No ship-to yet: RMS's social-gift placeholders ("999" / 入力待ち) until the recipient enters one.</summary>
    private static JsonObject Sender(RmsAddress? a) => a is null
        ? new JsonObject
        {
            ["zipCode1"] = "999", ["zipCode2"] = "9999", ["prefecture"] = "入力待ち", ["city"] = "入力待ち", ["subAddress"] = "入力待ち",
            ["familyName"] = "入力待ち", ["firstName"] = "", ["familyNameKana"] = null, ["firstNameKana"] = null,
            ["phoneNumber1"] = "999", ["phoneNumber2"] = "9999", ["phoneNumber3"] = "9999", ["isolatedIslandFlag"] = 0,
        }
        : new JsonObject
        {
            ["zipCode1"] = Zip(a.ZipCode).Item1, ["zipCode2"] = Zip(a.ZipCode).Item2, ["prefecture"] = a.Prefecture, ["city"] = a.City,
            ["subAddress"] = a.SubAddress, ["familyName"] = a.FamilyName, ["firstName"] = a.FirstName,
            ["familyNameKana"] = a.FamilyNameKana, ["firstNameKana"] = a.FirstNameKana,
            ["phoneNumber1"] = Phone(a.PhoneNumber, 0), ["phoneNumber2"] = Phone(a.PhoneNumber, 1), ["phoneNumber3"] = Phone(a.PhoneNumber, 2),
            ["isolatedIslandFlag"] = 0,
        };

    private static (string, string) Zip(string zip)
    {
        var digits = new string(zip.Where(char.IsDigit).ToArray()).PadRight(7, '0');
        return (digits[..3], digits[3..7]);
    }

    private static string? Phone(string? phone, int part) =>
        phone?.Split('-') is { Length: 3 } parts ? parts[part] : part == 0 ? phone : null;

    private static string SettlementName(int code) => code switch
    {
        1 => "クレジットカード",
        2 => "代金引換",
        3 => "後払い",
        9 => "銀行振込",
        17 => "PayPal",
        _ => "その他",
    };
}

/// <summary>RMS delivery company codes 1000–1031, strings on the wire (reference §4).</summary>
public static class Carriers
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["1000"] = "その他", ["1001"] = "ヤマト運輸", ["1002"] = "佐川急便", ["1003"] = "日本郵便", ["1004"] = "西濃運輸",
        ["1005"] = "セイノースーパーエクスプレス", ["1006"] = "福山通運", ["1007"] = "名鉄運輸", ["1008"] = "トナミ運輸",
        ["1009"] = "第一貨物", ["1010"] = "新潟運輸", ["1011"] = "中越運送", ["1012"] = "岡山県貨物運送", ["1013"] = "久留米運送",
        ["1014"] = "山陽自動車運送", ["1015"] = "NXトランスポート", ["1016"] = "エコ配", ["1017"] = "EMS", ["1018"] = "DHL",
        ["1019"] = "FedEx", ["1020"] = "UPS", ["1021"] = "日本通運", ["1022"] = "TNT", ["1023"] = "OCS", ["1024"] = "USPS",
        ["1025"] = "SFエクスプレス", ["1026"] = "Aramex", ["1027"] = "SGHグローバル・ジャパン", ["1028"] = "Rakuten EXPRESS",
        ["1029"] = "日本郵便 楽天倉庫出荷", ["1030"] = "ヤマト運輸 クロネコゆうパケット", ["1031"] = "名鉄NX運輸",
    };
}
