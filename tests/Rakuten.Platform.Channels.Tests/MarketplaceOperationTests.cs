using System.Net;
using FluentAssertions;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Channels.Shopify.SyncingStock;
using Xunit;

namespace Rakuten.Platform.Channels.Tests;

/// <summary>How a marketplace call is named in its metrics: one series per operation, never one per item or order.</summary>
public sealed class MarketplaceOperationTests
{
    [Theory]
    [InlineData("mutation Create($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id } } }", "graphql mutation orderCreate")]
    [InlineData("query($i0: ID!, $i1: ID!) { i0: inventoryItem(id: $i0) { id } i1: inventoryItem(id: $i1) { id } }", "graphql query inventoryItem")]
    [InlineData("{ shop { name } }", "graphql query shop")]
    [InlineData("  mutation { inventorySetQuantities(input: {}) { userErrors { field } } }", "graphql mutation inventorySetQuantities")]
    public void A_Shopify_GraphQL_call_is_named_by_its_kind_and_first_root_field_aliases_skipped(string query, string expected) =>
        ShopifyAdminClient.OperationOf(query).Should().Be(expected);

    [Theory]
    [InlineData("PUT", "https://api.rms.rakuten.co.jp/es/2.0/items/manage-numbers/v_01h8x2mug", "items.put")]
    [InlineData("GET", "http://127.0.0.1:5000/rms/es/2.0/items/manage-numbers/v_other", "items.get")]
    [InlineData("POST", "https://api.rms.rakuten.co.jp/es/2.0/inventories/bulk-upsert", "inventories.bulk-upsert")]
    [InlineData("POST", "https://api.rms.rakuten.co.jp/es/2.0/inventories/bulk-get", "inventories.bulk-get")]
    public void An_RMS_REST_call_is_named_by_resource_and_bulk_action_never_by_manage_number(string method, string url, string expected) =>
        RmsClient.OperationOf(new HttpMethod(method), url).Should().Be(expected);

    [Theory]
    [InlineData("GET", "https://ws.fr.shopping.rakuten.com/sales_ws?action=getnewsales&login=a&pwd=SECRET&version=2017-08-07", "GET /sales_ws?action=getnewsales")]
    [InlineData("GET", "https://example.test/orders/123456789/lines/0a7c5a0e-7a4e-4a52-9e07-8f6f3a3f1e11", "GET /orders/lines")]
    public void Unnamed_calls_are_named_by_their_path_without_ids_and_never_carry_the_query_s_credentials(string method, string url, string expected)
    {
        var operation = MarketplaceCall.OperationOf(new HttpRequestMessage(new HttpMethod(method), url));
        operation.Should().Be(expected);
        operation.Should().NotContain("SECRET");
    }

    [Fact]
    public void A_client_s_own_name_wins_over_the_path() =>
        MarketplaceCall.OperationOf(new HttpRequestMessage(HttpMethod.Post, "https://api.rms.rakuten.co.jp/es/2.0/order/getOrder/").Named("order.getOrder"))
            .Should().Be("order.getOrder");

    [Theory]
    [InlineData(HttpStatusCode.OK, "ok")]
    [InlineData(HttpStatusCode.TooManyRequests, "throttled")]
    [InlineData(HttpStatusCode.Unauthorized, "unauthorized")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "unavailable")]
    [InlineData(HttpStatusCode.BadGateway, "server_error")]
    [InlineData(HttpStatusCode.BadRequest, "client_error")]
    public void Each_answer_has_an_outcome(HttpStatusCode status, string outcome) => MarketplaceCall.Outcome(status).Should().Be(outcome);
}
