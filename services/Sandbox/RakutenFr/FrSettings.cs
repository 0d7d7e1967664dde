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

    /// <summary>The product types (<c>producttypes</c>) and their templates (<c>producttypetemplate</c>) a product page is created
    /// with: by alias. The real list and templates were not obtained (reference F.2): these two, their keys and which are
    /// mandatory are the Sandbox's own, in the vocabulary the reference shows (titre, fabricant, codebarres, image_url).
    /// <c>PUT /control/rakuten-fr/product-types/{alias}</c> adds or replaces one.</summary>
    public Dictionary<string, FrProductType> ProductTypes { get; set; } = new(StringComparer.Ordinal)
    {
        ["insolites_produit"] = new("Produits insolites",
        [
            new("product", "titre", "Titre", true), new("product", "description", "Description", false), new("product", "fabricant", "Marque", false),
            new("product", "codebarres", "Code EAN", false), new("media", "image_url", "Image", true),
        ]),
        ["mode_tshirt"] = new("Mode - T-shirts",
        [
            new("product", "titre", "Titre", true), new("product", "fabricant", "Marque", true),
            new("product", "taille", "Taille", true, ["XS", "S", "M", "L", "XL", "XXL"]), new("product", "couleur", "Couleur", false),
            new("product", "codebarres", "Code EAN", false), new("media", "image_url", "Image", true),
        ]),
    };
}

/// <summary>A product type: its label and the attributes of its template.</summary>
public sealed record FrProductType(string Label, IReadOnlyList<FrTemplateAttribute> Attributes);

/// <summary>One attribute of a product type's template: the block it goes in (product, advert, media), its key, whether a
/// product page cannot be created without it, and the values it takes when it has a list.</summary>
public sealed record FrTemplateAttribute(string Section, string Key, string Label, bool Mandatory, IReadOnlyList<string>? Values = null);
