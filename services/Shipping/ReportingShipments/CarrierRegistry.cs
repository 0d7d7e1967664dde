using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Shipping.ReportingShipments;

/// <summary>One carrier as each marketplace names it. <c>TrackingUrl</c> is a template with <c>{n}</c> for the number.</summary>
public sealed record Carrier(string Name, string RakutenJpCode, string? RakutenFrTransporter, string? TrackingUrl, IReadOnlyList<string> Aliases);

/// <summary>A merchant's own mapping of a Shopify tracking company, over the defaults.</summary>
public sealed record CarrierOverride(string ShopifyName, string? RakutenJpCode, string? RakutenFrTransporter, string? TrackingUrl);

/// <summary>Shopify tracking companies → RMS deliveryCompany codes (every one of 1000–1031, reference/rakuten-jp-rms.md §4)
/// and Rakuten France transporter names with tracking-URL templates (reference/rakuten-fr.md §A.4). Pure: the defaults
/// are data, a tenant's overrides are passed in.</summary>
public static class CarrierRegistry
{
    /// <summary>The transporter names Rakuten France takes (§A.4; <c>Autre</c> = any other, with a tracking URL).</summary>
    public static readonly IReadOnlyList<string> RakutenFrTransporters =
        ["Colissimo", "Chronopost", "Mondial Relay", "DPD", "GLS", "UPS", "DHL", "Fedex", "TNT", "Relais Colis", "Colis Privé"];

    public const string Other = "Autre";

    private static readonly Carrier[] Defaults =
    [
        new("その他", "1000", null, null, ["Other", "その他"]),
        new("ヤマト運輸", "1001", null, "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01={n}", ["Yamato (JA)", "Yamato", "Yamato Transport", "Kuroneko Yamato", "ヤマト運輸"]),
        new("佐川急便", "1002", null, "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={n}", ["Sagawa (JA)", "Sagawa (EN)", "Sagawa", "Sagawa Express", "佐川急便"]),
        new("日本郵便", "1003", null, "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={n}", ["Japan Post (JA)", "Japan Post (EN)", "Japan Post", "Yu-Pack", "日本郵便", "ゆうパック"]),
        new("西濃運輸", "1004", null, null, ["Seino", "Seino Transportation", "西濃運輸"]),
        new("セイノースーパーエクスプレス", "1005", null, null, ["Seino Super Express", "セイノースーパーエクスプレス", "西部運輸"]),
        new("福山通運", "1006", null, null, ["Fukuyama", "Fukuyama Transporting", "福山通運"]),
        new("名鉄運輸", "1007", null, null, ["Meitetsu", "Meitetsu Transport", "名鉄運輸"]),
        new("トナミ運輸", "1008", null, null, ["Tonami", "Tonami Transportation", "トナミ運輸"]),
        new("第一貨物", "1009", null, null, ["Daiichi Freight", "第一貨物"]),
        new("新潟運輸", "1010", null, null, ["Niigata Unyu", "新潟運輸"]),
        new("中越運送", "1011", null, null, ["Chuetsu Unso", "中越運送"]),
        new("岡山県貨物運送", "1012", null, null, ["Okayamaken Kamotsu", "岡山県貨物運送"]),
        new("久留米運送", "1013", null, null, ["Kurume Unso", "久留米運送"]),
        new("山陽自動車運送", "1014", null, null, ["Sanyo Jidosha Unso", "山陽自動車運送"]),
        new("NXトランスポート", "1015", null, null, ["NX Transport", "NXトランスポート", "日本トラック", "日通トランスポート"]),
        new("エコ配", "1016", null, null, ["Ecohai", "エコ配"]),
        new("EMS", "1017", null, "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={n}&locale=en", ["EMS", "Japan Post EMS"]),
        new("DHL", "1018", "DHL", "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id={n}", ["DHL", "DHL Express", "DHL eCommerce"]),
        new("FedEx", "1019", "Fedex", "https://www.fedex.com/fedextrack/?trknbr={n}", ["FedEx", "Fedex"]),
        new("UPS", "1020", "UPS", "https://www.ups.com/track?loc=fr_FR&tracknum={n}", ["UPS"]),
        new("日本通運", "1021", null, null, ["Nippon Express", "日本通運"]),
        new("TNT", "1022", "TNT", "https://www.fedex.com/fedextrack/?trknbr={n}", ["TNT"]),
        new("OCS", "1023", null, null, ["OCS", "OCS Worldwide"]),
        new("USPS", "1024", null, "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}", ["USPS"]),
        new("SFエクスプレス", "1025", null, "https://www.sf-express.com/us/en/dynamic_function/waybill/#search/bill-number/{n}", ["SF Express", "SFエクスプレス"]),
        new("Aramex", "1026", null, "https://www.aramex.com/track/results?ShipmentNumber={n}", ["Aramex"]),
        new("SGHグローバル・ジャパン", "1027", null, null, ["SGH Global Japan", "SGHグローバル・ジャパン"]),
        new("Rakuten EXPRESS", "1028", null, null, ["Rakuten Express", "Rakuten EXPRESS"]),
        new("日本郵便 楽天倉庫出荷", "1029", null, null, ["Japan Post Rakuten Warehouse", "日本郵便 楽天倉庫出荷"]),
        new("ヤマト運輸 クロネコゆうパケット", "1030", null, null, ["Kuroneko Yu-Packet", "ヤマト運輸 クロネコゆうパケット", "クロネコゆうパケット"]),
        new("名鉄NX運輸", "1031", null, null, ["Meitetsu NX", "名鉄NX運輸"]),
        // France: RMS knows them only as その他 (1000).
        new("Colissimo", "1000", "Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={n}", ["Colissimo", "La Poste", "La Poste Colissimo", "Lettre suivie"]),
        new("Chronopost", "1000", "Chronopost", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={n}", ["Chronopost", "Chronopost France", "Shop2Shop"]),
        new("Mondial Relay", "1000", "Mondial Relay", "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition={n}", ["Mondial Relay", "Mondial Relay FR"]),
        new("DPD", "1000", "DPD", "https://www.dpd.fr/trace/{n}", ["DPD", "DPD France"]),
        new("GLS", "1000", "GLS", "https://gls-group.com/FR/fr/suivi-colis.html?match={n}", ["GLS", "GLS France"]),
        new("Relais Colis", "1000", "Relais Colis", "https://www.relaiscolis.fr/suivi?numExpe={n}", ["Relais Colis"]),
        new("Colis Privé", "1000", "Colis Privé", null, ["Colis Privé", "Colis Prive"]),
    ];

    public static IReadOnlyList<Carrier> All => Defaults;

    /// <summary>The carrier a Shopify tracking company names (the tenant's override first), or null when nobody knows it.</summary>
    public static Carrier? Find(string? shopifyName, IEnumerable<CarrierOverride>? overrides = null)
    {
        var key = Normalise(shopifyName);
        if (key.Length == 0)
        {
            return null;
        }

        var known = Defaults.FirstOrDefault(c => c.Aliases.Any(a => Normalise(a) == key));
        if (overrides?.FirstOrDefault(o => Normalise(o.ShopifyName) == key) is { } mine)
        {
            return new Carrier(known?.Name ?? mine.ShopifyName, mine.RakutenJpCode ?? known?.RakutenJpCode ?? "1000",
                mine.RakutenFrTransporter ?? known?.RakutenFrTransporter, mine.TrackingUrl ?? known?.TrackingUrl, [mine.ShopifyName]);
        }

        return known;
    }

    /// <summary>The carrier as each marketplace names it for one shipment. Rakuten France: its transporter with the URL
    /// built from the template (or Shopify's own URL); a carrier outside its list is <c>Autre</c> with a URL; with no URL
    /// to give it, the carrier is refused with the list of those it takes.</summary>
    public static (CarrierInfo? Info, string? Refusal) ForRakutenFr(string? shopifyName, string? number, string? shopifyUrl, IEnumerable<CarrierOverride>? overrides = null)
    {
        var carrier = Find(shopifyName, overrides);
        var url = carrier?.TrackingUrl is { } template && !string.IsNullOrEmpty(number) ? template.Replace("{n}", Uri.EscapeDataString(number), StringComparison.Ordinal)
            : shopifyUrl is { Length: > 0 } u && (u.StartsWith("https://", StringComparison.Ordinal) || u.StartsWith("http://", StringComparison.Ordinal)) ? u
            : null;
        var name = carrier?.Name ?? shopifyName ?? "(none)";
        if (carrier?.RakutenFrTransporter is { } transporter)
        {
            return (new CarrierInfo(name, carrier.RakutenJpCode, transporter, url), null);
        }

        if (url is not null)
        {
            return (new CarrierInfo(name, carrier?.RakutenJpCode, Other, url), null);
        }

        return (null, $"carrier {name} is not supported by Rakuten France; supported: {string.Join(", ", RakutenFrTransporters)} " +
                      "(or any carrier whose fulfilment gives a tracking URL)");
    }

    /// <summary>The RMS deliveryCompany code: the carrier's, or その他 (1000) for one RMS does not list.</summary>
    public static CarrierInfo ForRakutenJp(string? shopifyName, string? number, IEnumerable<CarrierOverride>? overrides = null)
    {
        var carrier = Find(shopifyName, overrides);
        return new CarrierInfo(carrier?.Name ?? shopifyName ?? "その他", carrier?.RakutenJpCode ?? "1000", carrier?.RakutenFrTransporter,
            carrier?.TrackingUrl is { } t && !string.IsNullOrEmpty(number) ? t.Replace("{n}", Uri.EscapeDataString(number), StringComparison.Ordinal) : null);
    }

    /// <summary>Whether an override names things the marketplaces accept; the error names the field.</summary>
    public static string? Validate(CarrierOverride o)
    {
        if (string.IsNullOrWhiteSpace(o.ShopifyName)) return "shopifyName is required";
        if (o.RakutenJpCode is { } code && (!int.TryParse(code, out var n) || n is < 1000 or > 1031 || code.Length != 4))
            return "rakutenJpCode must be an RMS deliveryCompany code, 1000 to 1031";
        if (o.RakutenFrTransporter is { } t && t != Other && !RakutenFrTransporters.Contains(t))
            return $"rakutenFrTransporter must be one of {string.Join(", ", RakutenFrTransporters)} or {Other}";
        if (o.TrackingUrl is { } url && (!(url.StartsWith("https://", StringComparison.Ordinal) || url.StartsWith("http://", StringComparison.Ordinal)) || !url.Contains("{n}", StringComparison.Ordinal)))
            return "trackingUrl must be an http(s) URL with {n} where the tracking number goes";
        if (o.RakutenFrTransporter == Other && o.TrackingUrl is null)
            return "trackingUrl is required when rakutenFrTransporter is Autre";
        return null;
    }

    private static string Normalise(string? name) => (name ?? "").Trim().ToLowerInvariant();
}
