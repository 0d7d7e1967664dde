namespace Rakuten.Platform.Sandbox.RakutenFr;

/// <summary>What reference/rakuten-fr.md leaves open, adjustable through <c>PUT /control/rakuten-fr/settings</c>.</summary>
public sealed class FrSettings
{
    /// <summary>Requests per seller per rolling hour; the real figures are not published (§A.5).</summary>
    public int RequestsPerHour { get; set; } = 3600;

    /// <summary>Stock import files per seller per rolling hour (Rakuten: at most 10, §A.3).</summary>
    public int StockFilesPerHour { get; set; } = 10;

    /// <summary>Sales / adverts per page before a <c>nexttoken</c> is handed out.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>Rakuten's errors may come with HTTP 200 (§A.5): clients must read the body either way.</summary>
    public bool ErrorsWithHttp200 { get; set; }

    /// <summary>Accepted <c>transporter_name</c> values; the official list was not retrievable (§A.4).</summary>
    public List<string> Transporters { get; set; } =
        ["Colissimo", "Chronopost", "Mondial Relay", "DPD", "GLS", "UPS", "DHL", "Fedex", "TNT", "Relais Colis", "Colis Privé", "Autre"];
}
