using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.Channels.Shopify.Connecting;

namespace Rakuten.Platform.Channels.Shopify.SyncingStock;

/// <summary>Admin GraphQL calls of the stock and order flows.</summary>
public sealed class ShopifyAdminClient(IHttpClientFactory http)
{
    /// <summary>One GraphQL operation; the whole answer (data, errors, extensions). Non-2xx throws.</summary>
    public async Task<JsonObject> GraphQlAsync(ConnectionRecord connection, ShopifyCredentials credentials, string query, object variables, CancellationToken ct)
    {
        using var client = http.CreateClient("shopify");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{connection.BaseUrl.TrimEnd('/')}/admin/api/{ShopifyConnector.ApiVersion}/graphql.json")
        {
            Content = JsonContent.Create(new { query, variables }),
        };
        request.Headers.Add("X-Shopify-Access-Token", credentials.AccessToken);
        using var response = await client.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonObject>(ct) ?? [];
    }

    /// <summary>The available quantity of one inventory item at one location now, or null if Shopify has none.</summary>
    public async Task<int?> AvailableAsync(ConnectionRecord connection, ShopifyCredentials credentials, string itemId, string locationId, CancellationToken ct)
    {
        const string query = """
            query Level($id: ID!) { inventoryItem(id: $id) { id sku inventoryLevels(first: 50) { nodes { location { id } quantities(names: ["available"]) { name quantity } } } } }
            """;
        var body = await GraphQlAsync(connection, credentials, query, new { id = $"gid://shopify/InventoryItem/{itemId}" }, ct);
        var level = (body?["data"]?["inventoryItem"]?["inventoryLevels"]?["nodes"] as JsonArray ?? [])
            .FirstOrDefault(n => n?["location"]?["id"]?.GetValue<string>().EndsWith($"/{locationId}", StringComparison.Ordinal) == true);
        return (level?["quantities"] as JsonArray ?? []).FirstOrDefault(q => q?["name"]?.GetValue<string>() == "available")?["quantity"]?.GetValue<int>();
    }
}
