using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.RakutenFr;

/// <summary><c>stock_ws</c> genericimportfile / genericimportreport (§A.3): an XML file of offers keyed by
/// <c>sellerReference</c> (the SKU), at most 10 files an hour, processed at once, its report read back per SKU.
/// The price and quantity keys are not published (§A.3): this Sandbox reads <c>sellingPrice</c> and <c>stock</c>.</summary>
public static class StockFiles
{
    public static IResult Import(SandboxState state, FrSeller seller, byte[] file, XElement request, Func<object[], XElement> response)
    {
        var now = state.Clock.GetUtcNow();
        if (!SlidingWindow.TryTake(seller.StockFiles, state.Fr.StockFilesPerHour, TimeSpan.FromHours(1), now))
        {
            return FrApi.Fail(state, 403, "Sender", "InvalidUserRights", "Quota exceeded.",
                $"At most {state.Fr.StockFilesPerHour} stock files per hour are accepted.");
        }

        var importId = state.NextFrId++;
        var (lines, status) = Parse(state, seller, file);
        seller.Imports[importId] = new FrImport(importId, $"import-{importId}.xml", now, lines, status);
        return FrApi.Ok("importresult", "genericimportfile", request, response([new XElement("importid", importId), new XElement("status", "OK")]));
    }

    public static IResult Report(SandboxState state, FrSeller seller, IQueryCollection q, XElement request, Func<object[], XElement> response)
    {
        if (!long.TryParse(q["fileid"], out var id) || !seller.Imports.TryGetValue(id, out var import))
        {
            return FrApi.Fail(state, 400, "Sender", "ParameterError", "Problem with parameters", "The parameter 'fileid' is invalid.");
        }

        return FrApi.Ok("genericimportreportresult", "genericimportreport", request, response([
            new XElement("file",
                new XElement("fileid", import.ImportId),
                new XElement("filename", import.FileName),
                new XElement("status", import.Status),
                new XElement("uploaddate", FrApi.FrDate(import.UploadedAt)),
                new XElement("totallines", import.Lines.Count),
                new XElement("successlines", import.Lines.Count(l => l.Status == "OK")),
                new XElement("errorlines", import.Lines.Count(l => l.Status != "OK"))),
            new XElement("nexttoken", ""),
            new XElement("products", import.Lines.Select(l => new XElement("product",
                new XElement("sku", new XCData(l.Sku)),
                new XElement("status", l.Status),
                new XElement("errors", l.Errors.Select(e => new XElement("error", new XCData(e))))))),
        ]));
    }

    /// <summary>A product page created from an item's product block (reference F.2, rule 3): the alias must be a product type,
    /// every mandatory attribute of its template given (a listed value where the attribute has a list), media included. The
    /// product joins the catalogue — by barcode when it has one — only once the whole line is valid.</summary>
    private static FrCatalogueProduct? CreateProduct(SandboxState state, FrSeller seller, XElement item, string alias, IReadOnlyDictionary<string, string?> attributes, List<string> errors)
    {
        if (!state.Fr.ProductTypes.TryGetValue(alias, out var type))
        {
            errors.Add($"Type de produit inconnu : {alias}.");
            return null;
        }

        var missing = type.Attributes.Where(a => a.Mandatory && a.Section is "product" or "media" && attributes.GetValueOrDefault(a.Key) is not { Length: > 0 }).Select(a => a.Key).ToList();
        if (missing.Count > 0)
            errors.Add($"Attribut(s) obligatoire(s) manquant(s) pour le type {alias} : {string.Join(", ", missing)}.");
        foreach (var listed in type.Attributes.Where(a => a.Values is not null && attributes.GetValueOrDefault(a.Key) is { Length: > 0 } v && !a.Values.Contains(v)))
            errors.Add($"Valeur non autorisée pour {listed.Key} : {attributes[listed.Key]} (valeurs : {string.Join(", ", listed.Values!)}).");
        if (attributes.GetValueOrDefault("codebarres") is { Length: > 0 } ean && (ean.Length != 13 || !ean.All(char.IsAsciiDigit)))
            errors.Add($"codebarres invalide : {ean} (13 chiffres).");
        if (errors.Count > 0)
            return null;

        var product = new FrCatalogueProduct(state.NextFrId++, attributes.GetValueOrDefault("codebarres") ?? "", attributes.GetValueOrDefault("titre") ?? "", alias,
            item.Descendants().Where(e => e.Name.LocalName == "product").SelectMany(p => p.Elements()).Where(e => e.Name.LocalName == "attribute")
                .ToDictionary(e => e.Elements().First(x => x.Name.LocalName == "key").Value, e => e.Elements().FirstOrDefault(x => x.Name.LocalName == "value")?.Value.Trim() ?? ""),
            seller.Login, attributes.GetValueOrDefault("image_url"));
        return product;
    }

    private static (IReadOnlyList<FrImportLine> Lines, string Status) Parse(SandboxState state, FrSeller seller, byte[] file)
    {
        // Only ISO-8859-1 or UTF-8 without a byte-order mark are accepted (§A.3).
        if (file.Length >= 3 && file[0] == 0xEF && file[1] == 0xBB && file[2] == 0xBF)
        {
            return ([], "Aucune ligne n'a été chargée");
        }

        XDocument doc;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(file), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            doc = XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return ([], "Aucune ligne n'a été chargée");
        }

        var lines = new List<FrImportLine>();
        foreach (var item in doc.Descendants().Where(e => e.Name.LocalName == "item"))
        {
            var attributes = item.Descendants().Where(e => e.Name.LocalName == "attribute")
                .GroupBy(a => a.Elements().FirstOrDefault(e => e.Name.LocalName == "key")?.Value ?? "")
                .ToDictionary(g => g.Key, g => g.First().Elements().FirstOrDefault(e => e.Name.LocalName == "value")?.Value.Trim());
            var sku = attributes.GetValueOrDefault("sellerReference") ?? "";
            var errors = new List<string>();
            decimal? price = null;
            int? stock = null;
            if (sku.Length == 0)
            {
                errors.Add("sellerReference est obligatoire.");
            }
            else if (!seller.Offers.ContainsKey(sku))
            {
                // No advert with this reference: a creation (reference F.2), on the catalogue product the first product key names,
                // or — with the item's alias — on a product page created from the product block.
                var alias = item.Elements().FirstOrDefault(e => e.Name.LocalName == "alias")?.Value.Trim() is { Length: > 0 } a ? a : null;
                var key = new[] { "submitterreference", "pid", "codebarres", "referencefabricant" }.FirstOrDefault(k => attributes.GetValueOrDefault(k) is { Length: > 0 });
                if (key is null && alias is null)
                {
                    errors.Add($"Aucune annonce avec la référence vendeur {sku}.");
                }
                else
                {
                    var value = key is null ? "" : attributes[key]!;
                    var product = key switch
                    {
                        null => null,
                        "pid" => state.FrCatalogue.Values.FirstOrDefault(p => p.ProductId.ToString(CultureInfo.InvariantCulture) == value),
                        "codebarres" => state.FrCatalogue.GetValueOrDefault(value),
                        _ => state.FrCatalogue.Values.FirstOrDefault(p => p.Attributes?.GetValueOrDefault(key) == value),
                    };
                    var missing = new[] { "sellingPrice", "qty", "state" }.Where(k => attributes.GetValueOrDefault(k) is not { Length: > 0 }).ToList();
                    if (product is null && alias is not null)
                    {
                        product = CreateProduct(state, seller, item, alias, attributes, errors);
                    }
                    else if (product is null)
                    {
                        errors.Add($"Aucun produit du catalogue ne correspond ({key} {value}) ; indiquez un alias de type de produit pour créer la fiche produit.");
                    }
                    if (missing.Count > 0) errors.Add($"Champ(s) obligatoire(s) manquant(s) pour créer l'annonce : {string.Join(", ", missing)}.");
                    if (!int.TryParse(attributes.GetValueOrDefault("qty"), NumberStyles.None, CultureInfo.InvariantCulture, out var qty) && missing.Count == 0)
                        errors.Add($"qty invalide : {attributes.GetValueOrDefault("qty")}.");
                    if (errors.Count == 0 && decimal.TryParse(attributes.GetValueOrDefault("sellingPrice"), NumberStyles.Number, CultureInfo.InvariantCulture, out var creationPrice))
                    {
                        if (product!.CreatedBy is not null && !state.FrCatalogue.Values.Contains(product))
                        {
                            state.FrCatalogue[product.Ean.Length > 0 ? product.Ean : $"pid:{product.ProductId}"] = product;
                        }

                        seller.Offers[sku] = new FrOffer
                        {
                            AdvertId = state.NextFrId++, ProductId = product!.ProductId, Sku = sku, Headline = product.Headline, Price = creationPrice, Stock = qty,
                            Ean = product.Ean,
                        };
                    }
                }
            }

            if (attributes.GetValueOrDefault("sellingPrice") is { } priceText)
            {
                if (decimal.TryParse(priceText, NumberStyles.Number, CultureInfo.InvariantCulture, out var p) && p > 0)
                    price = p;
                else
                    errors.Add($"sellingPrice invalide : {priceText}.");
            }

            if (attributes.GetValueOrDefault("stock") is { } stockText)
            {
                if (int.TryParse(stockText, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s <= 99_999)
                    stock = s;
                else
                    errors.Add($"stock invalide : {stockText}.");
            }

            if (errors.Count == 0)
            {
                var offer = seller.Offers[sku];
                offer.Price = price ?? offer.Price;
                offer.Stock = stock ?? offer.Stock;
            }

            lines.Add(new FrImportLine(sku, errors.Count == 0 ? "OK" : "KO", errors));
        }

        return (lines, "Traité");
    }
}
