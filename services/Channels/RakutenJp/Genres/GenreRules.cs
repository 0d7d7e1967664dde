using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.Genres;

/// <summary>One line of a connection's genre mapping: products of a Shopify product type, or carrying a tag, go to an RMS genre.</summary>
/// <remarks><c>Collection</c>: a Shopify collection's handle.</remarks>
public sealed record GenreRule(string? ProductType, string? Tag, string GenreId, string? Collection = null);

/// <summary>A connection's genre mapping: rules tried in order, then the connection's default, then the deployment's.</summary>
public sealed record GenreBook(string? DefaultGenreId, IReadOnlyList<GenreRule> Rules);

/// <summary>The RMS genre of each product (RMS requires one, 6 digits, per item), as pure functions.</summary>
public static class GenreRules
{
    public const int MaxRules = 500;

    /// <summary>The genre for a product: the first rule whose product type (case-insensitive) or tag it has, else the
    /// connection's default, else <paramref name="fallback"/>; and which of them chose it.</summary>
    public static (string GenreId, string Why) Choose(ProductSnapshot product, GenreBook book, string fallback)
    {
        if (MetafieldGenre(product) is { } given && IsGenre(given))
            return (given, $"metafield {Metafield}");
        if (ProductCategoryRules.FirstMatch(product, book.Rules, r => r.ProductType, r => r.Tag, r => r.Collection) is { } match)
            return (match.Rule.GenreId, match.Why);
        return book.DefaultGenreId is { } chosen ? (chosen, "the connection's default") : (fallback, "Platform:RakutenJp:DefaultGenreId");
    }

    /// <summary>A variant metafield naming the product's genre outright, over the connection's rules.</summary>
    public const string Metafield = "rakuten.jp_genre";

    /// <summary>The genre a variant's metafield <see cref="Metafield"/> gives (the first variant that has one).</summary>
    public static string? MetafieldGenre(ProductSnapshot product) =>
        product.Variants.SelectMany(v => v.Metafields ?? []).FirstOrDefault(m => m.Key == Metafield)?.Value.Trim();

    /// <summary>Null unless the product's genre metafield is there and is not a genre id: then what to fix.</summary>
    public static string? MetafieldProblem(ProductSnapshot product) => MetafieldGenre(product) is { } given && !IsGenre(given)
        ? $"The metafield {Metafield} of '{product.Title}' is '{given}', not an RMS genre id (6 digits, 100000 to 999999): correct it in Shopify."
        : null;

    public static bool IsGenre(string? id) => id is { Length: 6 } && id.All(char.IsAsciiDigit) && id[0] != '0';

    public static Dictionary<string, string[]> Validate(GenreBook book)
    {
        var errors = new Dictionary<string, string[]>();
        if (book.DefaultGenreId is not null && !IsGenre(book.DefaultGenreId))
            errors["defaultGenreId"] = ["must be an RMS genre id: 6 digits, 100000 to 999999"];
        ProductCategoryRules.Validate(book.Rules, r => r.ProductType, r => r.Tag, r => r.Collection, MaxRules, errors);
        for (var i = 0; i < book.Rules.Count; i++)
        {
            if (!IsGenre(book.Rules[i].GenreId)) errors[$"rules[{i}].genreId"] = ["must be an RMS genre id: 6 digits, 100000 to 999999"];
        }

        return errors;
    }
}

/// <summary>A connection's genre mapping as stored (rules as JSON).</summary>
public sealed class GenreMappingRow
{
    public required Guid ConnectionId { get; init; }

    public string? DefaultGenreId { get; set; }

    public required string Rules { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }

    public GenreBook ToBook() => new(DefaultGenreId, JsonSerializer.Deserialize<List<GenreRule>>(Rules, PlatformJson.Options)!);
}

public sealed record GenreMappingRequest(string? DefaultGenreId, IReadOnlyList<GenreRule>? Rules);

public sealed record GenreMappingView(Guid ConnectionId, string? DefaultGenreId, IReadOnlyList<GenreRule> Rules, string Fallback, DateTimeOffset? UpdatedAt, string? UpdatedBy);

public static class GenreEndpoints
{
    public static async Task<GenreBook> BookAsync(RakutenJpDbContext db, Guid connectionId, CancellationToken ct) =>
        (await db.GenreMappings.AsNoTracking().FirstOrDefaultAsync(g => g.ConnectionId == connectionId, ct))?.ToBook() ?? new GenreBook(null, []);

    public static void MapGenres(this RouteGroupBuilder api)
    {
        api.MapGet("/connections/{id:guid}/genres", async (Guid id, Caller caller, RakutenJpDbContext db, IConfiguration configuration, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var row = await db.GenreMappings.AsNoTracking().FirstOrDefaultAsync(g => g.ConnectionId == id, ct);
            var book = row?.ToBook() ?? new GenreBook(null, []);
            return Results.Ok(new GenreMappingView(id, book.DefaultGenreId, book.Rules, Fallback(configuration), row?.UpdatedAt, row?.UpdatedBy));
        }).Produces<GenreMappingView>();

        api.MapPut("/connections/{id:guid}/genres", async (Guid id, GenreMappingRequest? request, Caller caller, RakutenJpDbContext db, IConfiguration configuration,
            TimeProvider clock, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var book = new GenreBook(request?.DefaultGenreId, request?.Rules ?? []);
            if (GenreRules.Validate(book) is { Count: > 0 } errors)
            {
                return ApiErrors.Validation(errors);
            }

            var now = clock.GetUtcNow();
            var row = await db.GenreMappings.FirstOrDefaultAsync(g => g.ConnectionId == id, ct);
            if (row is null)
            {
                db.GenreMappings.Add(row = new GenreMappingRow { ConnectionId = id, Rules = "[]", UpdatedAt = now, UpdatedBy = caller.Actor });
            }

            (row.DefaultGenreId, row.Rules, row.UpdatedAt, row.UpdatedBy) = (book.DefaultGenreId, JsonSerializer.Serialize(book.Rules, PlatformJson.Options), now, caller.Actor);
            db.Audit(caller, "genres.set", $"connection/{id}", now, detail: $"default {book.DefaultGenreId ?? "none"}, {book.Rules.Count} rule(s)");
            await db.SaveChangesAsync(ct);
            return Results.Ok(new GenreMappingView(id, book.DefaultGenreId, book.Rules, Fallback(configuration), now, caller.Actor));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<GenreMappingView>();
    }

    public static string Fallback(IConfiguration configuration) => configuration.GetValue("Platform:RakutenJp:DefaultGenreId", "100000")!;
}
