using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;

namespace Rakuten.Platform.Channels.Shopify.ShopifyAdmin;

/// <summary>Admin GraphQL calls of the stock and order flows.</summary>
public sealed class ShopifyAdminClient(IHttpClientFactory http)
{
    /// <summary>A mutation payload's userErrors as one sentence; null when there are none.</summary>
    public static string? UserErrors(JsonObject payload)
    {
        var errors = (payload["userErrors"] as JsonArray ?? []).OfType<JsonObject>().Select(e => e["message"]?.GetValue<string>()).ToList();
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    /// <summary>One GraphQL operation; the whole answer (data, errors, extensions). Shopify's cost bucket is respected
    /// by the connection's pipeline (MarketplacePipeline): a THROTTLED answer (HTTP 200 or 429) waits until the bucket
    /// holds the query's cost — read from <c>extensions.cost.throttleStatus</c> — and asks again. Still throttled after
    /// the retries, or any other non-2xx: an HttpRequestException.</summary>
    public async Task<JsonObject> GraphQlAsync(ConnectionRecord connection, ShopifyCredentials credentials, string query, object variables, CancellationToken ct)
    {
        using var client = http.CreateClient("shopify");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{connection.BaseUrl.TrimEnd('/')}/admin/api/{ShopifyConnector.ApiVersion}/graphql.json")
        {
            Content = JsonContent.Create(new { query, variables }),
        };
        request.Headers.Add("X-Shopify-Access-Token", credentials.AccessToken);
        // A query may be asked again after a failure; a mutation only when Shopify said it did not run it (throttled).
        request.Named(Operations.GetOrAdd(query, OperationOf)).For(connection.Id).Retryable(!query.TrimStart().StartsWith("mutation", StringComparison.Ordinal));
        using var response = await client.SendAsync(request, ct);
        var body = response.Content.Headers.ContentLength == 0 ? [] : await response.Content.ReadFromJsonAsync<JsonObject>(ct) ?? [];
        if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests
            || body["errors"]?[0]?["extensions"]?["code"]?.GetValue<string>() == "THROTTLED")
        {
            throw new HttpRequestException("Shopify kept throttling the store's API calls; the call is given up for now and retried with its flow.",
                null, System.Net.HttpStatusCode.TooManyRequests);
        }

        response.EnsureSuccessStatusCode();
        return body;
    }

    /// <summary>The GraphQL operation as its kind and first root field, aliases skipped (<c>mutation Create(…) { orderCreate(…) }</c>
    /// → <c>graphql mutation orderCreate</c>): the field says what was asked, where operation names are the caller's own.</summary>
    // The queries are the clients' constants (and a few shapes of the aliased look-ups): parsed once each.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Operations = new();

    public static string OperationOf(string query)
    {
        var kind = System.Text.RegularExpressions.Regex.Match(query, @"^\s*(query|mutation|subscription)\b");
        var field = System.Text.RegularExpressions.Regex.Match(query, @"\{\s*(?:\w+\s*:\s*)?(\w+)");
        return $"graphql {(kind.Success ? kind.Groups[1].Value : "query")} {(field.Success ? field.Groups[1].Value : "?")}";
    }

    /// <summary>The available quantity of many inventory items at every location now, in one query per 10 items
    /// (aliased <c>inventoryItem</c> fields): what a batch of deliveries it could not order asks Shopify at once. Ten items
    /// with up to 25 locations each stay well under Shopify's 1,000-point ceiling for one query (each level costs about
    /// two points, reference/shopify.md B.2).</summary>
    public async Task<Dictionary<(string Item, string Location), int>> LevelsAsync(ConnectionRecord connection, ShopifyCredentials credentials,
        IReadOnlyCollection<string> itemIds, CancellationToken ct)
    {
        var levels = new Dictionary<(string, string), int>();
        foreach (var chunk in itemIds.Distinct().Chunk(10))
        {
            var declarations = string.Join(", ", chunk.Select((_, i) => $"$i{i}: ID!"));
            var fields = string.Join(" ", chunk.Select((_, i) =>
                $"i{i}: inventoryItem(id: $i{i}) {{ id inventoryLevels(first: 25) {{ nodes {{ location {{ id }} quantities(names: [\"available\"]) {{ name quantity }} }} }} }}"));
            var variables = chunk.Select((id, i) => (Key: $"i{i}", Value: $"gid://shopify/InventoryItem/{id}")).ToDictionary(v => v.Key, v => (object)v.Value);
            var body = await GraphQlAsync(connection, credentials, $"query Levels({declarations}) {{ {fields} }}", variables, ct);
            for (var i = 0; i < chunk.Length; i++)
            {
                foreach (var node in (body["data"]?[$"i{i}"]?["inventoryLevels"]?["nodes"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var location = node["location"]?["id"]?.GetValue<string>()?.Split('/').Last();
                    var quantity = (node["quantities"] as JsonArray ?? []).FirstOrDefault(q => q?["name"]?.GetValue<string>() == "available")?["quantity"]?.GetValue<int>();
                    if (location is not null && quantity is { } q)
                    {
                        levels[(chunk[i], location)] = q;
                    }
                }
            }
        }

        return levels;
    }

    /// <summary>Whether Shopify still has the product (a deletion webhook is believed only once Shopify confirms it).</summary>
    public async Task<bool> ProductExistsAsync(ConnectionRecord connection, ShopifyCredentials credentials, string productId, CancellationToken ct)
    {
        var body = await GraphQlAsync(connection, credentials, "query Product($id: ID!) { product(id: $id) { id } }",
            new { id = $"gid://shopify/Product/{productId}" }, ct);
        return body["data"]?["product"] is JsonObject;
    }
}
