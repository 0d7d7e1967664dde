using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Catalog.Onboarding;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Catalog.Pricing;

/// <summary>A connection's prices: its rule and its fixed prices per SKU. A change reaches every listing it prices: a rule
/// through a resync job of the connection, a fixed price at once for the products with that SKU.</summary>
public static class PriceEndpoints
{
    public static void MapPrices(this RouteGroupBuilder catalog)
    {
        var prices = catalog.MapGroup("/connections/{connectionId:guid}").WithTags("Prices");
        prices.MapFixedPriceFiles();

        prices.MapGet("/prices", async (Guid connectionId, string? sku, int? limit, int? offset, Caller caller, CatalogDbContext db, CancellationToken ct) =>
        {
            if (limit is < 1 or > 1000) throw PlatformProblem.Field("limit", "must be between 1 and 1000");
            if (offset is < 0) throw PlatformProblem.Field("offset", "must be 0 or more");
            await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            var rule = await db.PriceRules.AsNoTracking().FirstOrDefaultAsync(r => r.ConnectionId == connectionId, ct);
            var query = db.FixedPrices.AsNoTracking().Where(f => f.ConnectionId == connectionId && (sku == null || f.Sku == sku));
            var page = await query.OrderBy(f => f.Sku).Skip(offset ?? 0).Take(limit ?? 200).ToListAsync(ct);
            return Results.Ok(new PriceListView(connectionId, rule?.ToRule(), rule?.UpdatedAt, rule?.UpdatedBy, await query.CountAsync(ct),
                page.Select(f => f.ToFixed()).ToList()));
        }).Produces<PriceListView>();

        prices.MapPut("/price-rule", async (Guid connectionId, PriceRuleInput? input, Caller caller, CatalogDbContext db, TimeProvider clock,
            JobSignal<CatalogDbContext> runner, CancellationToken ct) =>
        {
            var connection = await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            var rule = input?.ToRule(out var errors) ?? throw PlatformProblem.Field("body", "give markupPercent, addAmount, convert and/or rounding");
            foreach (var (field, rules) in PriceRules.Validate(rule, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)))
            {
                errors[field] = rules;
            }

            if (errors.Count > 0)
            {
                return ApiErrors.Validation(errors);
            }

            var now = clock.GetUtcNow();
            var row = await db.PriceRules.FirstOrDefaultAsync(r => r.ConnectionId == connectionId, ct);
            if (row is null)
            {
                row = new PriceRuleRow { ConnectionId = connectionId, TenantId = caller.Tenant, UpdatedAt = now, UpdatedBy = caller.Actor };
                db.PriceRules.Add(row);
            }

            row.Set(rule, now, caller.Actor);
            db.Audit(caller, "prices.rule.set", $"connection/{connectionId}", now, detail: JsonSerializer.Serialize(rule, PlatformJson.Options));
            await db.SaveChangesAsync(ct);
            return await RepriceAsync(db, caller, connection, clock, runner, ct);
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<JobView>(StatusCodes.Status202Accepted);

        prices.MapDelete("/price-rule", async (Guid connectionId, Caller caller, CatalogDbContext db, TimeProvider clock,
            JobSignal<CatalogDbContext> runner, CancellationToken ct) =>
        {
            var connection = await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            var removed = await db.PriceRules.Where(r => r.ConnectionId == connectionId).ExecuteDeleteAsync(ct);
            if (removed == 0)
            {
                return Results.NoContent();
            }

            db.Audit(caller, "prices.rule.remove", $"connection/{connectionId}", clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return await RepriceAsync(db, caller, connection, clock, runner, ct);
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<JobView>(StatusCodes.Status202Accepted);

        prices.MapPut("/fixed-prices/{sku}", async (Guid connectionId, string sku, FixedPriceInput? input, Caller caller, CatalogDbContext db, TimeProvider clock,
            CancellationToken ct) =>
        {
            var connection = await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            if (FixedPriceRules.Check(connection.Channel, sku, input) is { Count: > 0 } errors)
            {
                return ApiErrors.Validation(errors);
            }

            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            await FixedPriceRules.SetAsync(db, caller, connectionId, [new FixedPrice(sku, new Money(input!.Price!.Value, input.Currency!), input.CompareAtPrice is { } c ? new Money(c, input.Currency!) : null)], now, ct);
            db.Audit(caller, "prices.fixed.set", $"connection/{connectionId}/sku/{sku}", now);
            await db.SaveChangesAsync(ct); // the price book is read from the database
            var products = await RepriceSkusAsync(db, caller.Tenant, connectionId, [sku], now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(new FixedPriceSet(sku, products));
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<FixedPriceSet>();

        prices.MapDelete("/fixed-prices/{sku}", async (Guid connectionId, string sku, Caller caller, CatalogDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            if (await db.FixedPrices.Where(f => f.ConnectionId == connectionId && f.Sku == sku).ExecuteDeleteAsync(ct) == 0)
            {
                throw PlatformProblem.NotFound("fixed price for this SKU on this connection");
            }

            db.Audit(caller, "prices.fixed.remove", $"connection/{connectionId}/sku/{sku}", now);
            var products = await RepriceSkusAsync(db, caller.Tenant, connectionId, [sku], now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(new FixedPriceSet(sku, products));
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<FixedPriceSet>();
    }

    /// <summary>Every listing of the connection sent again with the new prices, as a resync job (a whole catalog is long).</summary>
    private static async Task<IResult> RepriceAsync(CatalogDbContext db, Caller caller, ListingConnection connection, TimeProvider clock,
        JobSignal<CatalogDbContext> runner, CancellationToken ct)
    {
        var (job, _) = await Resyncs.ConnectionAsync(db, caller, connection.ConnectionId, clock, runner, ct);
        return Jobs.Accepted(job, CatalogService.Prefix, clock.GetUtcNow());
    }

    /// <summary>The products carrying these SKUs, sent to the connection again (in the caller's transaction); answers how many.</summary>
    public static async Task<int> RepriceSkusAsync(CatalogDbContext db, Guid tenantId, Guid connectionId, IReadOnlyCollection<string> skus, DateTimeOffset now, CancellationToken ct)
    {
        var products = await db.SkuClaims.AsNoTracking().Where(c => c.TenantId == tenantId && skus.Contains(c.Sku)).Select(c => c.ProductId).Distinct().ToListAsync(ct);
        await ListingSync.RefreshAsync(db, tenantId, products, now, ct, connectionId);
        return products.Count;
    }
}

/// <summary>A price rule as the merchant sends it; every part optional.</summary>
public sealed record PriceRuleInput(decimal? MarkupPercent, decimal? AddAmount, ConversionInput? Convert, RoundingInput? Rounding)
{
    public PriceRule ToRule(out Dictionary<string, string[]> errors)
    {
        errors = [];
        CurrencyConversion? convert = null;
        if (Convert is { } c)
        {
            if (c.From is null) errors["convert.from"] = ["is required with convert"];
            if (c.To is null) errors["convert.to"] = ["is required with convert"];
            if (c.Rate is null) errors["convert.rate"] = ["is required with convert"];
            if (c.AsOf is null) errors["convert.asOf"] = ["is required with convert: the date the rate was published (yyyy-mm-dd)"];
            convert = new CurrencyConversion(c.From ?? "", c.To ?? "", c.Rate ?? 1, c.AsOf ?? DateOnly.MinValue);
        }

        var rounding = Rounding is { } r ? new PriceRounding(r.Step, r.Direction ?? "up", r.Ending) : null;
        return new PriceRule(MarkupPercent ?? 0, AddAmount ?? 0, convert, rounding);
    }
}

public sealed record ConversionInput(string? From, string? To, decimal? Rate, DateOnly? AsOf);

public sealed record RoundingInput(decimal? Step, string? Direction, decimal? Ending);

/// <summary>A fixed price in the channel's currency (JPY on RMS, EUR on Rakuten France).</summary>
public sealed record FixedPriceInput(decimal? Price, decimal? CompareAtPrice, string? Currency);

/// <summary>A connection's rule (null: Shopify's prices go out as they are) and a page of its fixed prices.</summary>
public sealed record PriceListView(Guid ConnectionId, PriceRule? Rule, DateTimeOffset? RuleUpdatedAt, string? RuleUpdatedBy, int FixedPrices,
    IReadOnlyList<FixedPrice> Page);

/// <summary>A fixed price set or removed, and how many products were sent again with it.</summary>
public sealed record FixedPriceSet(string Sku, int ProductsRepriced);

/// <summary>What a fixed price must be, and storing a set of them.</summary>
public static class FixedPriceRules
{
    public static string CurrencyOf(string channel) => channel == nameof(Channel.RakutenJp) ? "JPY" : "EUR";

    public static Dictionary<string, string[]> Check(string channel, string? sku, FixedPriceInput? input)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(sku) || sku.Length > 100) errors["sku"] = ["must be 1 to 100 characters"];
        if (input?.Price is not { } price || price <= 0) errors["price"] = ["is required and must be more than 0"];
        if (input?.CompareAtPrice is { } compareAt && (compareAt <= 0 || compareAt <= (input.Price ?? 0)))
            errors["compareAtPrice"] = ["must be more than price (it is shown as the reference price), or left out"];
        var currency = CurrencyOf(channel);
        if (input?.Currency != currency) errors["currency"] = [$"must be {currency}: the connection's marketplace sells in it"];
        if (input?.Price is { } p && decimal.Round(p, PriceRules.MinorUnits(currency)) != p)
            errors["price"] = [$"has more decimals than {currency} allows"];
        return errors;
    }

    /// <summary>Upserts fixed prices of one connection (no save: the caller saves before repricing, which reads them back).</summary>
    public static async Task SetAsync(CatalogDbContext db, Caller caller, Guid connectionId, IReadOnlyList<FixedPrice> prices, DateTimeOffset now, CancellationToken ct)
    {
        var skus = prices.Select(p => p.Sku).ToList();
        var existing = await db.FixedPrices.Where(f => f.ConnectionId == connectionId && skus.Contains(f.Sku)).ToDictionaryAsync(f => f.Sku, ct);
        foreach (var price in prices)
        {
            if (!existing.TryGetValue(price.Sku, out var row))
            {
                row = new FixedPriceRow { ConnectionId = connectionId, Sku = price.Sku, TenantId = caller.Tenant, Currency = price.Price.Currency, UpdatedAt = now };
                db.FixedPrices.Add(row);
                existing[price.Sku] = row;
            }

            (row.Amount, row.Currency, row.CompareAt, row.UpdatedAt) = (price.Price.Amount, price.Price.Currency, price.CompareAtPrice?.Amount, now);
        }
    }
}
