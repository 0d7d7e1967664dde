using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.Channels.Shopify.Connecting;

namespace Rakuten.Platform.Channels.Shopify.SyncingStock;

/// <summary>Admin GraphQL reads the stock flow needs.</summary>
public sealed class ShopifyAdminClient(IHttpClientFactory http)
{
    /// <summary>The available quantity of one inventory item at one location now, or null if Shopify has none.</summary>
    public async Task<int?> AvailableAsync(ConnectionRecord connection, ShopifyCredentials credentials, string itemId, string locationId, CancellationToken ct)
    {
        const string query = """
            query Level($id: ID!) { inventoryItem(id: $id) { id sku inventoryLevels(first: 50) { nodes { location { id } quantities(names: ["available"]) { name quantity } } } } }
            """;
        using var client = http.CreateClient("shopify");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{connection.BaseUrl.TrimEnd('/')}/admin/api/{ShopifyConnector.ApiVersion}/graphql.json")
        {
            Content = JsonContent.Create(new { query, variables = new { id = $"gid://shopify/InventoryItem/{itemId}" } }),
        };
        request.Headers.Add("X-Shopify-Access-Token", credentials.AccessToken);
        using var response = await client.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        var level = (body?["data"]?["inventoryItem"]?["inventoryLevels"]?["nodes"] as JsonArray ?? [])
            .FirstOrDefault(n => n?["location"]?["id"]?.GetValue<string>().EndsWith($"/{locationId}", StringComparison.Ordinal) == true);
        return (level?["quantities"] as JsonArray ?? []).FirstOrDefault(q => q?["name"]?.GetValue<string>() == "available")?["quantity"]?.GetValue<int>();
    }
}
