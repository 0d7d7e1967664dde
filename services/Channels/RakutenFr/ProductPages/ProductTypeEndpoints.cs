using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

namespace Rakuten.Platform.Channels.RakutenFr.ProductPages;

/// <summary>A connection's product-type mapping as stored (rules as JSON).</summary>
public sealed class ProductTypeMappingRow
{
    public required Guid ConnectionId { get; init; }

    public string? DefaultAlias { get; set; }

    public required string Rules { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }

    public ProductTypeBook ToBook() => new(DefaultAlias, JsonSerializer.Deserialize<List<ProductTypeRule>>(Rules, PlatformJson.Options)!);
}

public sealed record ProductTypeMappingRequest(string? DefaultAlias, IReadOnlyList<ProductTypeRule>? Rules);

public sealed record ProductTypeMappingView(Guid ConnectionId, string? DefaultAlias, IReadOnlyList<ProductTypeRule> Rules, DateTimeOffset? UpdatedAt, string? UpdatedBy);

public sealed record ProductTypeTemplateView(string Alias, IReadOnlyList<TemplateAttribute> Attributes, IReadOnlyList<string> FilledByThePlatform);

public static class ProductTypeEndpoints
{
    /// <summary>At most this many product types in one mapping: each is checked with Rakuten France when the mapping is set.</summary>
    public const int MaxAliases = 20;

    private static readonly string[] Filled = ["titre", "description", "fabricant", "marque", "codebarres", "image_url"];

    public static async Task<ProductTypeBook> BookAsync(RakutenFrDbContext db, Guid connectionId, CancellationToken ct) =>
        (await db.ProductTypeMappings.AsNoTracking().FirstOrDefaultAsync(m => m.ConnectionId == connectionId, ct))?.ToBook() ?? new ProductTypeBook(null, []);

    /// <summary>The template, or the 503 saying Rakuten France could not be asked (down, in maintenance, over its quota) — never a 500.</summary>
    private static async Task<(ProductTypeTemplate? Template, IResult? Unreachable)> TemplateAsync(ProductTypeTemplates templates, ConnectionRecord connection,
        RakutenFrCredentials credentials, string alias, CancellationToken ct)
    {
        try
        {
            return (await templates.GetAsync(connection, credentials, alias, ct), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or RakutenFrException or MarketplaceUnavailableException or Polly.Timeout.TimeoutRejectedException)
        {
            // The exception's text is not passed on: a transport error may name the URL, which carries the seller's token.
            return (null, ApiErrors.Problem(StatusCodes.Status503ServiceUnavailable, "Rakuten France unavailable",
                $"Rakuten France did not answer the check of product type '{alias}'{(ex is RakutenFrException fr ? $" ({fr.Error.Code})" : "")}: try again in a few minutes."));
        }
    }

    public static void MapProductTypes(this RouteGroupBuilder api)
    {
        api.MapGet("/connections/{id:guid}/product-types", async (Guid id, Caller caller, RakutenFrDbContext db, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var row = await db.ProductTypeMappings.AsNoTracking().FirstOrDefaultAsync(m => m.ConnectionId == id, ct);
            var book = row?.ToBook() ?? new ProductTypeBook(null, []);
            return Results.Ok(new ProductTypeMappingView(id, book.DefaultAlias, book.Rules, row?.UpdatedAt, row?.UpdatedBy));
        }).Produces<ProductTypeMappingView>();

        // Which Shopify products get product pages of which Rakuten France product type; each alias is checked with Rakuten France.
        api.MapPut("/connections/{id:guid}/product-types", async (Guid id, ProductTypeMappingRequest? request, Caller caller, RakutenFrDbContext db,
            ConnectionSecrets secrets, ProductTypeTemplates templates, TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var book = new ProductTypeBook(request?.DefaultAlias, request?.Rules ?? []);
            var errors = ProductPage.Validate(book);
            var aliases = book.Rules.Select(r => r.Alias).Prepend(book.DefaultAlias).OfType<string>().Distinct().ToList();
            if (aliases.Count > MaxAliases)
                errors["rules"] = [$"at most {MaxAliases} different product types in one mapping"];
            if (errors.Count > 0)
                return ApiErrors.Validation(errors);

            var credentials = secrets.Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials);
            foreach (var alias in aliases)
            {
                var (template, unreachable) = await TemplateAsync(templates, connection, credentials, alias, ct);
                if (unreachable is not null)
                    return unreachable;
                if (template is null)
                {
                    var field = book.DefaultAlias == alias ? "defaultAlias" : $"rules[{book.Rules.ToList().FindIndex(r => r.Alias == alias)}].alias";
                    errors[field] = [$"Rakuten France has no product type '{alias}' (stock_ws producttypes lists them)"];
                }
            }

            if (errors.Count > 0)
                return ApiErrors.Validation(errors);

            var now = clock.GetUtcNow();
            var row = await db.ProductTypeMappings.FirstOrDefaultAsync(m => m.ConnectionId == id, ct);
            if (row is null)
            {
                db.ProductTypeMappings.Add(row = new ProductTypeMappingRow { ConnectionId = id, Rules = "[]", UpdatedAt = now, UpdatedBy = caller.Actor });
            }

            (row.DefaultAlias, row.Rules, row.UpdatedAt, row.UpdatedBy) = (book.DefaultAlias, JsonSerializer.Serialize(book.Rules, PlatformJson.Options), now, caller.Actor);
            db.Audit(caller, "product-types.set", $"connection/{id}", now, detail: $"default {book.DefaultAlias ?? "none"}, {book.Rules.Count} rule(s)");
            await db.SaveChangesAsync(ct);
            return Results.Ok(new ProductTypeMappingView(id, book.DefaultAlias, book.Rules, now, caller.Actor));
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<ProductTypeMappingView>();

        // A product type's template: which attributes its pages need, and which of them the platform fills from Shopify (the
        // others come from the variants' metafields rakuten.fr_{key}).
        api.MapGet("/connections/{id:guid}/product-types/template", async (Guid id, string? alias, Caller caller, RakutenFrDbContext db,
            ConnectionSecrets secrets, ProductTypeTemplates templates, CancellationToken ct) =>
        {
            var connection = await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            if (!ProductPage.IsAlias(alias))
                return ApiErrors.Validation(new Dictionary<string, string[]> { ["alias"] = ["give the product type's alias (1 to 100 of a-z A-Z 0-9 _ -)"] });
            var (template, unreachable) = await TemplateAsync(templates, connection, secrets.Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials), alias!, ct);
            if (unreachable is not null)
                return unreachable;
            return template is null
                ? ApiErrors.Problem(StatusCodes.Status404NotFound, "Not Found", $"Rakuten France has no product type '{alias}'.")
                : Results.Ok(new ProductTypeTemplateView(template.Alias, template.Attributes, template.Attributes.Select(a => a.Key).Where(Filled.Contains).ToList()));
        }).SpendsMarketplaceQuota().Produces<ProductTypeTemplateView>();
    }
}
