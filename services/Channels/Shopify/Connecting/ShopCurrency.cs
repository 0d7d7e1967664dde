using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;

namespace Rakuten.Platform.Channels.Shopify.Connecting;

/// <summary>The currency a store sells in (<c>shop { currencyCode }</c>): what its product prices are in. Read from Shopify on
/// each product import (a store can change it) and kept in <c>shop_currencies</c>, so webhooks between imports ask nobody.</summary>
public sealed class ShopCurrency(IServiceScopeFactory scopes, ShopifyAdminClient admin, TimeProvider clock)
{
    private const string Query = "{ shop { currencyCode } }";

    private readonly ConcurrentDictionary<Guid, string> _known = new();

    /// <summary>The store's currency: as kept, or read from Shopify when it is not kept yet or <paramref name="refresh"/> asks.</summary>
    public async Task<string> OfAsync(ConnectionRecord connection, ShopifyCredentials credentials, bool refresh, CancellationToken ct)
    {
        if (!refresh && _known.TryGetValue(connection.Id, out var cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
        var row = await db.ShopCurrencies.FirstOrDefaultAsync(c => c.ConnectionId == connection.Id, ct);
        if (row is not null && !refresh)
        {
            return _known[connection.Id] = row.Currency;
        }

        var answer = await admin.GraphQlAsync(connection, credentials, Query, new { }, ct);
        var currency = answer["data"]?["shop"]?["currencyCode"]?.GetValue<string>();
        if (currency is not { Length: 3 })
        {
            throw new HttpRequestException($"Shopify answered without the store's currency ({answer["errors"]?.ToJsonString() ?? "no shop.currencyCode"}); " +
                                           "products are read again once it answers.");
        }

        if (row is null)
        {
            db.ShopCurrencies.Add(row = new ShopCurrencyRow { ConnectionId = connection.Id, Currency = currency, ReadAt = clock.GetUtcNow() });
        }

        (row.Currency, row.ReadAt) = (currency, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return _known[connection.Id] = currency;
    }
}

public sealed class ShopCurrencyRow
{
    public required Guid ConnectionId { get; init; }

    public required string Currency { get; set; }

    public required DateTimeOffset ReadAt { get; set; }
}
