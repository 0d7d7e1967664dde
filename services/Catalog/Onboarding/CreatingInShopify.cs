using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.Onboarding;

/// <summary>"Match or create", the other way: an existing marketplace item nothing in Shopify matches is created in Shopify
/// on the merchant's request — first as a preview (what would be made, or why not), then for real. The product comes back
/// from Shopify like any other and matches the item; the merchant then adopts it.</summary>
public static class CreatingInShopify
{
    /// <summary>The product an item would become in Shopify, or why it cannot: only an item nothing matches (a matched one is
    /// already there; one in conflict must be sorted out first), every variant with a SKU and a price, SKUs once, none already
    /// a Shopify product's, at most Shopify's 3 options and a 255-character title.</summary>
    public static (ShopifyProductPreview Preview, RequestedVariant[] Variants) Preview(OnboardingEntry entry, ExistingChannelItem item, IReadOnlySet<string> shopifySkus)
    {
        var variants = item.Skus.Where(s => s.Sku is not null && s.Price is not null)
            .Select(s => new RequestedVariant(s.Sku!, s.Options, s.Price!, s.Barcode)).ToArray();
        var names = item.OptionNames ?? [];
        var refusal = entry.Kind != MatchKind.UnmatchedOnChannel
            ? $"The item is {entry.Kind}, not unmatched: {entry.Reason}"
            : item.Skus.FirstOrDefault(s => s.Sku is null) is { } noSku
                ? $"Variant {noSku.VariantId} has no SKU: give it one on the marketplace first (the platform matches on SKUs)."
            : item.Skus.FirstOrDefault(s => s.Price is null) is { } noPrice
                ? $"The marketplace gave no price for SKU {noPrice.Sku}: take the inventory again (POST …/inventory-items) and retry."
            : item.Skus.GroupBy(s => s.Sku).FirstOrDefault(g => g.Count() > 1) is { } twice ? $"SKU {twice.Key} is on several variants of the item."
            : item.Skus.FirstOrDefault(s => shopifySkus.Contains(s.Sku!)) is { } taken
                ? $"SKU {taken.Sku} is already a Shopify product's: match on it instead (it is in the report once Shopify has it)."
            : names.Count > 3 ? $"The item has {names.Count} options; Shopify allows 3."
            : item.Title.Length > 255 ? "The title is longer than Shopify's 255 characters."
            : null;
        return (new ShopifyProductPreview(item.ItemId, item.Title, names, variants.Select(v => new PreviewVariant(v.Sku, v.OptionValues, v.Price, v.Barcode)).ToList(), refusal),
            variants);
    }

    public static void MapCreateInShopify(this RouteGroupBuilder onboarding)
    {
        onboarding.MapPost("/create-in-shopify", async (Guid connectionId, CreateInShopify? request, Caller caller, CatalogDbContext db, TimeProvider clock,
            CancellationToken ct) =>
        {
            var connection = await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            if (request is null) throw PlatformProblem.Field("body", "give itemIds (or allUnmatched), and dryRun to preview");
            var entries = await OnboardingEndpoints.ReadyReportAsync(db, connection, ct);
            var all = request.AllUnmatched == true;
            var chosen = OnboardingEndpoints.Choose(entries, request.ItemIds, request.AllUnmatched, "allUnmatched", e => e.Kind == MatchKind.UnmatchedOnChannel);
            var ids = chosen.Select(e => e.ItemId!).ToList();
            var items = (await db.ChannelItems.AsNoTracking().Where(i => i.ConnectionId == connectionId).ToListAsync(ct))
                .Where(i => ids.Contains(i.ItemId, StringComparer.OrdinalIgnoreCase)).ToDictionary(i => i.ItemId, OnboardingMatches.ToItem, StringComparer.OrdinalIgnoreCase);
            var skus = items.Values.SelectMany(i => i.Skus).Select(s => s.Sku).OfType<string>().ToList();
            var taken = (await db.SkuClaims.AsNoTracking().Where(c => c.TenantId == caller.Tenant && skus.Contains(c.Sku)).Select(c => c.Sku).ToListAsync(ct)).ToHashSet();
            var previews = chosen.Select(e => Preview(e, items[e.ItemId!], taken)).ToList();
            var creatable = previews.Where(p => p.Preview.Refusal is null).ToList();
            var answer = new CreateInShopifyPreview(request.DryRun == true, creatable.Count, previews.Select(p => p.Preview).ToList());
            if (request.DryRun == true)
            {
                return Results.Ok(answer);
            }

            // Named items are all made or none; "all unmatched" makes those that can be and lists the others.
            if (!all && previews.Any(p => p.Preview.Refusal is not null))
            {
                return ApiErrors.Problem(StatusCodes.Status422UnprocessableEntity, "Nothing created",
                    "Some of the items cannot be created in Shopify (each says why); nothing was asked of Shopify.", new Dictionary<string, object?> { ["preview"] = answer });
            }

            var now = clock.GetUtcNow();
            var channel = Enum.Parse<Channel>(connection.Channel);
            foreach (var (preview, variants) in creatable)
            {
                db.AddToOutbox(new ShopifyProductRequested(caller.Tenant, connectionId, channel, preview.ItemId, preview.Title, preview.OptionNames, variants, now));
            }

            await OnboardingEndpoints.DecideAsync(db, caller, connectionId, creatable.Select(c => c.Preview.ItemId).ToList(), d => d.ShopifyCreation = "requested", now, ct);
            db.Audit(caller, "onboarding.create-in-shopify", $"connection/{connectionId}", now, detail: $"{creatable.Count} item(s)");
            await db.SaveChangesAsync(ct);
            return Results.Accepted($"/catalog/onboarding/{connectionId}", answer);
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<CreateInShopifyPreview>().Produces<CreateInShopifyPreview>(StatusCodes.Status202Accepted);
    }
}

/// <summary>itemIds, or allUnmatched; dryRun previews without asking Shopify for anything.</summary>
public sealed record CreateInShopify(IReadOnlyList<string>? ItemIds, bool? AllUnmatched, bool? DryRun);

public sealed record PreviewVariant(string Sku, IReadOnlyList<string> OptionValues, Money Price, string? Barcode);

/// <summary>The product an item would become in Shopify, or why it cannot.</summary>
public sealed record ShopifyProductPreview(string ItemId, string Title, IReadOnlyList<string> OptionNames, IReadOnlyList<PreviewVariant> Variants, string? Refusal);

public sealed record CreateInShopifyPreview(bool DryRun, int Creatable, IReadOnlyList<ShopifyProductPreview> Items);

/// <summary>Shopify's answer to a creation, on the item's line of the report.</summary>
public sealed class ShopifyProductCreatedConsumer(CatalogDbContext db, TimeProvider clock, ILogger<ShopifyProductCreatedConsumer> logger) : IConsumer<ShopifyProductCreated>
{
    public Task Consume(ConsumeContext<ShopifyProductCreated> context) => db.ExecuteOnceAsync(context, nameof(ShopifyProductCreatedConsumer), async ct =>
    {
        var m = context.Message;
        var row = await db.ItemDecisions.FirstOrDefaultAsync(d => d.ConnectionId == m.ConnectionId && d.ItemId == m.ItemId, ct);
        if (row is null)
        {
            db.ItemDecisions.Add(row = new ItemDecision { ConnectionId = m.ConnectionId, ItemId = m.ItemId, TenantId = m.TenantId, DecidedAt = clock.GetUtcNow(), DecidedBy = "system:shopify" });
        }

        row.ShopifyCreation = m.ShopifyProductId is { } id ? $"created {id}" : $"refused: {m.Error}";
    }, logger);
}

/// <summary>"Match or create", this way: the Shopify products nothing on the marketplace matches, published there in bulk — a
/// preview first (the prices each connection would be sent, or why a product is refused), then the publication.</summary>
public static class CreatingOnChannel
{
    public static void MapCreateOnChannel(this RouteGroupBuilder onboarding)
    {
        onboarding.MapPost("/create-on-channel", async (Guid connectionId, CreateOnChannel? request, Caller caller, CatalogDbContext db, TimeProvider clock,
            CancellationToken ct) =>
        {
            var connection = await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            if (request is null) throw PlatformProblem.Field("body", "give productIds (or allUnmatched), and dryRun to preview");
            if (request.AllUnmatched == true && request.ProductIds is { Count: > 0 }) throw PlatformProblem.Field("productIds", "give either productIds or allUnmatched, not both");
            if (request.AllUnmatched != true && request.ProductIds is not { Count: > 0 and <= OnboardingEndpoints.MaxItems })
                throw PlatformProblem.Field("productIds", $"name 1 to {OnboardingEndpoints.MaxItems} products (or set allUnmatched)");
            var entries = await OnboardingEndpoints.ReadyReportAsync(db, connection, ct);
            var unmatched = entries.Where(e => e.Kind == MatchKind.UnmatchedInShopify).SelectMany(e => e.ProductIds).ToHashSet();
            var ids = request.AllUnmatched == true ? unmatched.ToList() : request.ProductIds!.Distinct().ToList();
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            var products = await db.Products.Where(p => p.TenantId == caller.Tenant && ids.Contains(p.ProductId) && !p.Deleted).ToDictionaryAsync(p => p.ProductId, ct);
            var verdicts = await PublishingListings.ListingSync.VerdictsAsync(db, caller.Tenant, products.Values.ToList(), [connection], ct);
            var previews = ids.Select(id => !products.TryGetValue(id, out var product)
                    ? new ChannelProductPreview(id, null, [], "No product with this id in the catalog.")
                    : !unmatched.Contains(id) ? new ChannelProductPreview(id, product.Title, [], "It matches an existing item, or is in conflict: decide about the item instead.")
                    : new ChannelProductPreview(id, product.Title, verdicts[(id, connectionId)].Sent, verdicts[(id, connectionId)].Reason))
                .ToList();
            var answer = new CreateOnChannelPreview(request.DryRun == true, previews.Count(p => p.Refusal is null), previews);
            if (request.DryRun == true)
            {
                return Results.Ok(answer);
            }

            if (request.AllUnmatched != true && previews.Any(p => p.Refusal is not null))
            {
                return ApiErrors.Problem(StatusCodes.Status422UnprocessableEntity, "Nothing published",
                    "Some of the products cannot be published there (each says why); nothing was asked of the marketplace.", new Dictionary<string, object?> { ["preview"] = answer });
            }

            foreach (var preview in previews.Where(p => p.Refusal is null))
            {
                var verdict = verdicts[(preview.ProductId, connectionId)];
                await PublishingListings.ListingEndpoints.TakeAsync(db, products[preview.ProductId], connection, ListingAction.Publish,
                    PublishingListings.ListingIntent.Listed, verdict, now, ct);
            }

            db.Audit(caller, "onboarding.create-on-channel", $"connection/{connectionId}", now, detail: $"{answer.Creatable} product(s)");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Accepted($"/catalog/listings?connectionId={connectionId}", answer);
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<CreateOnChannelPreview>().Produces<CreateOnChannelPreview>(StatusCodes.Status202Accepted);
    }
}

/// <summary>productIds, or allUnmatched; dryRun previews without publishing anything.</summary>
public sealed record CreateOnChannel(IReadOnlyList<Guid>? ProductIds, bool? AllUnmatched, bool? DryRun);

/// <summary>A Shopify product as the marketplace would get it (the prices per SKU the connection's price book makes), or why not.</summary>
public sealed record ChannelProductPreview(Guid ProductId, string? Title, IReadOnlyList<Pricing.PriceSent> Prices, string? Refusal);

public sealed record CreateOnChannelPreview(bool DryRun, int Creatable, IReadOnlyList<ChannelProductPreview> Products);
