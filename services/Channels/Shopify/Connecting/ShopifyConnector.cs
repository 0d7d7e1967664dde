using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.Shopify.Connecting;

/// <summary>A Shopify store: its handle (<c>demo-store</c> of demo-store.myshopify.com), the Admin API access
/// token and the webhook signing secret.</summary>
public sealed record ShopifyCredentials(string Shop, string AccessToken, string WebhookSecret)
{
    public override string ToString() =>
        $"ShopifyCredentials {{ Shop = {Shop}, AccessToken = {Redact.Secret(AccessToken)}, WebhookSecret = {Redact.Secret(WebhookSecret)} }}";
}

/// <summary>Checks a store with the cheapest Admin GraphQL query there is: <c>shop</c>.</summary>
public sealed class ShopifyConnector(IHttpClientFactory http) : IChannelConnector<ShopifyCredentials>
{
    public const string ApiVersion = "2026-01";

    public Channel Channel => Channel.Shopify;

    public string DefaultBaseUrl(ShopifyCredentials credentials) => $"https://{credentials.Shop}.myshopify.com";

    public IReadOnlyList<string> Validate(ShopifyCredentials c)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(c.Shop) || c.Shop.Length > 60 || !c.Shop.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-'))
            errors.Add("credentials.shop must be the store handle, e.g. demo-store for demo-store.myshopify.com");
        if (string.IsNullOrWhiteSpace(c.AccessToken)) errors.Add("credentials.accessToken is required (the Admin API access token of the app)");
        else if (Text.Problem(c.AccessToken, 1, 200) is { } token) errors.Add($"credentials.accessToken {token}");
        if (string.IsNullOrWhiteSpace(c.WebhookSecret)) errors.Add("credentials.webhookSecret is required (the app's client secret that signs webhooks)");
        else if (Text.Problem(c.WebhookSecret, 1, 200) is { } secret) errors.Add($"credentials.webhookSecret {secret}");
        return errors;
    }

    public async Task<ConnectionCheck> CheckAsync(Uri baseUrl, ShopifyCredentials c, CancellationToken ct)
    {
        var root = baseUrl.ToString().TrimEnd('/');
        using var client = http.CreateClient("shopify");
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{root}/admin/api/{ApiVersion}/graphql.json")
            {
                Content = JsonContent.Create(new { query = "{ shop { name myshopifyDomain } }" }),
            };
            request.Headers.Add("X-Shopify-Access-Token", c.AccessToken);
            using var response = await client.SendAsync(request.Named("graphql query shop").AsProbe(), ct);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return ConnectionCheck.Refused(
                    $"Shopify refused the Admin API access token for {c.Shop} (HTTP {(int)response.StatusCode}).",
                    "Copy the Admin API access token of the app installed on this store (it starts with shpat_) and check its scopes.");
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return ConnectionCheck.Refused($"Shopify has no store '{c.Shop}' at {root}.", "Use the store handle from its myshopify.com address.");
            }

            var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
            var domain = body?["data"]?["shop"]?["myshopifyDomain"]?.GetValue<string>();
            return domain is not null
                ? ConnectionCheck.Ok(domain)
                : ConnectionCheck.NoAnswer($"Shopify answered without the shop (HTTP {(int)response.StatusCode}).", "Check the base URL and try again.");
        }
        catch (Exception ex) when (ConnectionCheck.Unreached(ex, ct))
        {
            return ConnectionCheck.Unanswered(Channel);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return ConnectionCheck.NoAnswer($"Shopify could not check the credentials at {root}: {ex.Message}.", "Check the base URL and try again.");
        }
    }
}
