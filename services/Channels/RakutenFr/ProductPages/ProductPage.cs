using System.Net;
using System.Text.RegularExpressions;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenFr.ProductPages;

/// <summary>One line of a connection's product-type mapping: products of a Shopify product type, or carrying a tag, get
/// product pages of a Rakuten France product type (its <c>alias</c>, from <c>producttypes</c>).</summary>
/// <remarks><c>Collection</c>: a Shopify collection's handle.</remarks>
public sealed record ProductTypeRule(string? ProductType, string? Tag, string Alias, string? Collection = null);

/// <summary>A connection's product-type mapping: rules tried in order, then its default. No alias: no product page is created.</summary>
public sealed record ProductTypeBook(string? DefaultAlias, IReadOnlyList<ProductTypeRule> Rules);

/// <summary>One attribute of a product type's template (<c>producttypetemplate</c>): its block (product, advert, media), key,
/// label, whether a page cannot be created without it, and the values it takes when it has a list.</summary>
public sealed record TemplateAttribute(string Section, string Key, string Label, bool Mandatory, IReadOnlyList<string>? Values);

public sealed record ProductTypeTemplate(string Alias, IReadOnlyList<TemplateAttribute> Attributes);

/// <summary>A product page a stock file line creates with its advert (reference F.2, rule 3): the product type and the
/// product block's attributes, and the image of the media block.</summary>
public sealed record ProductPageDraft(string Alias, IReadOnlyList<KeyValuePair<string, string>> Attributes, string? ImageUrl);

/// <summary>Rakuten France product pages for products its catalogue lacks, as pure functions: which product type a product
/// gets, and the attributes of its page.</summary>
public static class ProductPage
{
    public const int MaxRules = 500;

    /// <summary>A variant metafield <c>rakuten.fr_{key}</c> gives the attribute <c>key</c> of its page, over what the platform
    /// fills itself.</summary>
    public const string MetafieldPrefix = "rakuten.fr_";

    public static string? AliasFor(ProductSnapshot product, ProductTypeBook book) =>
        ProductCategoryRules.FirstMatch(product, book.Rules, r => r.ProductType, r => r.Tag, r => r.Collection)?.Rule.Alias ?? book.DefaultAlias;

    public static bool IsAlias(string? alias) => alias is { Length: >= 1 and <= 100 } && alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    public static Dictionary<string, string[]> Validate(ProductTypeBook book)
    {
        var errors = new Dictionary<string, string[]>();
        if (book.DefaultAlias is not null && !IsAlias(book.DefaultAlias))
            errors["defaultAlias"] = ["must be a Rakuten France product type alias (1 to 100 of a-z A-Z 0-9 _ -), as producttypes lists them"];
        ProductCategoryRules.Validate(book.Rules, r => r.ProductType, r => r.Tag, r => r.Collection, MaxRules, errors);
        for (var i = 0; i < book.Rules.Count; i++)
        {
            if (!IsAlias(book.Rules[i].Alias)) errors[$"rules[{i}].alias"] = ["must be a Rakuten France product type alias (1 to 100 of a-z A-Z 0-9 _ -)"];
        }

        return errors;
    }

    /// <summary>The page of one variant (each SKU is its own product on Rakuten France), or what stops it: a mandatory
    /// attribute without a value, or a value not in the attribute's list. The platform fills <c>titre</c> (the product's
    /// title and the variant's options), <c>description</c> (as text), <c>fabricant</c>/<c>marque</c> (the vendor),
    /// <c>codebarres</c> (the EAN) and the media <c>image_url</c>; a metafield <c>rakuten.fr_{key}</c> gives or overrides any.</summary>
    public static (ProductPageDraft? Page, IReadOnlyList<string> Problems) Draft(ProductSnapshot product, ProductVariant variant, string? ean, ProductTypeTemplate template)
    {
        string? Known(string key) => variant.Metafields?.FirstOrDefault(m => m.Key == MetafieldPrefix + key)?.Value is { Length: > 0 } given ? given : key switch
        {
            "titre" => variant.Title is { Length: > 0 } title && title != "Default Title" ? $"{product.Title} - {title}" : product.Title,
            "description" => Text(product.DescriptionHtml),
            "fabricant" or "marque" => product.Brand is { Length: > 0 } brand ? brand : null,
            "codebarres" => ean,
            "image_url" => variant.ImageUrl ?? product.ImageUrls.FirstOrDefault(),
            _ => null,
        };

        var problems = new List<string>();
        var attributes = new List<KeyValuePair<string, string>>();
        string? image = null;
        foreach (var attribute in template.Attributes.Where(a => a.Section is "product" or "media"))
        {
            var value = Known(attribute.Key);
            if (value is null)
            {
                if (attribute.Mandatory)
                    problems.Add($"{attribute.Key} ({attribute.Label}) has no value: set the variant's metafield {MetafieldPrefix}{attribute.Key} in Shopify");
                continue;
            }

            if (attribute.Values is { Count: > 0 } allowed && !allowed.Contains(value))
            {
                problems.Add($"{attribute.Key} '{value}' is not one of {string.Join(", ", allowed.Take(20))}{(allowed.Count > 20 ? ", …" : "")}");
                continue;
            }

            if (attribute.Section == "media")
                image = value;
            else
                attributes.Add(new(attribute.Key, value));
        }

        return problems.Count > 0 ? (null, problems) : (new ProductPageDraft(template.Alias, attributes, image), []);
    }

    private static string? Text(string? html)
    {
        if (string.IsNullOrWhiteSpace(html)) return null;
        var text = WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", " "));
        text = Regex.Replace(text, @"\s+", " ").Trim();
        return text.Length == 0 ? null : text.Length > 4000 ? text[..4000] : text;
    }
}
