using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Security;

/// <summary>The platform's API as an attacker would try it (issue 17): anonymous, with forged tokens, as another tenant,
/// with too small a role, as support staff, with an API key — over every route the process serves.</summary>
public sealed class AccessTests(SecuredMarketplace fixture) : IClassFixture<SecuredMarketplace>
{
    private ChannelHosts Hosts => fixture.Hosts;

    private TenantResources A => fixture.A;

    /// <summary>The routes that need no identity: the health probes and Shopify's webhooks (proven by their HMAC).</summary>
    private static readonly string[] Open = ["POST /channels/shopify/webhooks/{connectionId:guid}", "GET /health/live", "GET /health/ready"];

    private IReadOnlyList<Route> Routes => PlatformRoutes.Of(Hosts);

    /// <summary>The routes a tenant's identity calls with its own tenant (all but the open ones, the platform-wide
    /// operations views and the API description).</summary>
    private IEnumerable<Route> TenantRoutes => Routes.Where(r => !r.Anonymous && r.Role != PlatformRoles.Ops && !r.Pattern.StartsWith("/openapi", StringComparison.Ordinal));

    [Fact]
    public async Task Every_route_but_health_and_the_signed_webhook_answers_401_to_the_anonymous_and_to_forged_tokens()
    {
        using var anonymous = Hosts.ClientFor(null);
        var routes = Routes;
        var forged = new Dictionary<string, string>
        {
            ["malformed"] = "not.a.token",
            ["another key"] = TestIdentity.Token(A.Tenant, ["admin"], key: new RsaSecurityKey(RSA.Create(2048)) { KeyId = "attacker" }),
            ["another issuer"] = TestIdentity.Token(A.Tenant, ["admin"], issuer: "https://attacker.example/"),
            ["another audience"] = TestIdentity.Token(A.Tenant, ["admin"], audience: "someone-else"),
            ["expired"] = TestIdentity.Token(A.Tenant, ["admin"], lifetime: TimeSpan.FromMinutes(-10)),
            ["unsigned"] = UnsignedToken(),
            ["shared secret"] = TestIdentity.Token(A.Tenant, ["admin"], key: new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), algorithm: SecurityAlgorithms.HmacSha256),
        };
        var answers = new List<string>();

        routes.Where(r => r.Anonymous).Select(r => r.ToString()).Should().BeEquivalentTo(Open);
        foreach (var route in routes.Where(r => !r.Anonymous))
        {
            using var request = PlatformRoutes.Request(route, A);
            using var response = await anonymous.SendAsync(request);
            answers.Add($"{route} anonymous → {(int)response.StatusCode}");
            response.Headers.WwwAuthenticate.Should().NotBeEmpty();
            (await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<int>().Should().Be(401, "the body is Problem Details");
            foreach (var (kind, token) in forged)
            {
                using var again = PlatformRoutes.Request(route, A);
                again.Headers.Authorization = new("Bearer", token);
                using var refused = await anonymous.SendAsync(again);
                answers.Add($"{route} {kind} → {(int)refused.StatusCode}");
            }
        }

        using var unmapped = await anonymous.GetAsync("/no/such/route");
        answers.Add($"unmapped → {(int)unmapped.StatusCode}");
        answers.Should().OnlyContain(a => a.EndsWith("→ 401"), "every one of the {0} routes needs an identity", routes.Count);
        routes.Count.Should().BeGreaterThan(50);
    }

    [Fact]
    public async Task Another_tenant_finds_nothing_of_tenant_A_on_any_route_and_changes_nothing()
    {
        var before = await fixture.SettledSnapshotAsync();
        var b = Guid.NewGuid();
        using var intruder = Hosts.ClientFor(b, "admin", "operator", "viewer");
        var answers = new List<string>();

        foreach (var route in TenantRoutes)
        {
            // A's ids in the path and A named as the tenant: whatever the route, it is not there for B.
            using var named = PlatformRoutes.Request(route, A, query: $"?tenantId={A.Tenant}");
            using var response = await intruder.SendAsync(named);
            answers.Add($"{route} naming A → {(int)response.StatusCode}");
            if (route.Pattern.Contains(":guid", StringComparison.Ordinal))
            {
                // A's ids alone, with B's own tenant (a carrier's name is each tenant's own: B's override is B's).
                using var ids = PlatformRoutes.Request(route, A);
                using var byId = await intruder.SendAsync(ids);
                answers.Add($"{route} with A's ids → {(int)byId.StatusCode}");
            }
        }

        // B's own lists hold none of A's.
        var lists = new List<string>();
        foreach (var route in TenantRoutes.Where(r => r.Method == "GET" && !r.Pattern.Contains('{')))
        {
            lists.Add(await intruder.GetStringAsync(route.Pattern));
        }

        // A body naming A's tenant is not heard: B's new key is B's.
        var key = await intruder.PostAsJsonAsync("/identity/api-keys", new { tenantId = A.Tenant, name = "mine", roles = new[] { "viewer" } });
        var keys = await intruder.GetFromJsonAsync<JsonArray>("/identity/api-keys");
        var after = await fixture.SnapshotAsync();

        answers.Should().OnlyContain(a => a.EndsWith("→ 404"));
        string.Join('\n', lists).Should().NotContainAny(A.Connections.Values.Append(A.OrderId).Append(A.ProductId).Append(A.ApiKeyId));
        key.StatusCode.Should().Be(HttpStatusCode.Created);
        keys!.Single()!["name"]!.GetValue<string>().Should().Be("mine");
        after.Should().Be(before, "nothing of tenant A changed");
    }

    [Fact]
    public async Task Each_role_reaches_what_it_is_allowed_and_gets_403_for_the_rest_without_any_change()
    {
        var before = await fixture.SettledSnapshotAsync();
        var answers = new List<string>();
        foreach (var role in PlatformRoles.TenantRoles)
        {
            using var client = Hosts.ClientFor(A.Tenant, role);
            foreach (var route in TenantRoutes)
            {
                var allowed = PlatformRoles.Grants(new HashSet<string> { role }, route.Role!);
                // Allowed calls go to ids that do not exist or carry an invalid body: authorised, and still harmless (a JSON body
                // where a CSV or .xlsx file is expected is 415).
                using var request = PlatformRoutes.Request(route, A, randomIds: allowed, validBody: !allowed);
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                answers.Add($"{role} {route} needs {route.Role}: {status} {(allowed ? status is 200 or 400 or 404 or 415 : status == 403 ? "" : "expected 403")}");
            }
        }

        answers.Should().NotContain(a => a.EndsWith("False") || a.EndsWith("expected 403"));
        answers.Should().Contain(a => a.StartsWith("viewer POST /orders/{orderId:guid}/cancel") && a.Contains(": 403"));
        answers.Should().Contain(a => a.StartsWith("operator POST /channels/rakuten-jp/connections") && a.Contains(": 403"));
        answers.Should().Contain(a => a.StartsWith("admin DELETE /channels/shopify/connections/{id:guid}") && a.Contains(": 404"));
        (await fixture.SnapshotAsync()).Should().Be(before);
    }

    [Fact]
    public async Task Ops_reads_any_tenant_it_names_cannot_act_and_each_of_its_reads_is_in_that_tenant_s_audit_log()
    {
        using var ops = Hosts.ClientFor(null, "ops");
        using var admin = Hosts.ClientFor(A.Tenant, "admin");

        var orders = await ops.GetAsync($"/orders?tenantId={A.Tenant}");
        var unnamed = await ops.GetAsync("/orders");
        var cancel = await ops.PostAsJsonAsync($"/orders/{A.OrderId}/cancel?tenantId={A.Tenant}", new { reason = "BuyerRequest" });
        var outbox = await ops.GetAsync("/orders/ops/outbox");
        var outboxForMerchant = await admin.GetAsync("/orders/ops/outbox");
        var audit = await admin.GetFromJsonAsync<JsonArray>("/orders/audit");

        orders.StatusCode.Should().Be(HttpStatusCode.OK);
        (await orders.Content.ReadAsStringAsync()).Should().Contain(A.OrderId);
        unnamed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unnamed.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["tenantId"].Should().NotBeNull();
        cancel.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        outbox.StatusCode.Should().Be(HttpStatusCode.OK);
        outboxForMerchant.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the outbox is every tenant's: platform operators only");
        audit!.Should().Contain(e => e!["action"]!.GetValue<string>() == "ops.read GET" && e["target"]!.GetValue<string>() == "/orders"
                                     && e["actor"]!.GetValue<string>() == "user:tests");
    }

    [Fact]
    public async Task An_ops_identity_that_is_also_an_admin_of_its_own_tenant_still_only_reads_another_tenant()
    {
        var own = Guid.NewGuid();
        using var both = Hosts.ClientFor(own, "ops", "admin");

        var read = await both.GetAsync($"/orders?tenantId={A.Tenant}");
        var mint = await both.PostAsJsonAsync($"/identity/api-keys?tenantId={A.Tenant}", new { name = "backdoor", roles = new[] { "admin" } });
        var cancel = await both.PostAsJsonAsync($"/orders/{A.OrderId}/cancel?tenantId={A.Tenant}", new { reason = "BuyerRequest" });
        var remove = await both.DeleteAsync($"/channels/shopify/connections/{A.Connections["shopify"]}?tenantId={A.Tenant}");
        var ownKey = await both.PostAsJsonAsync("/identity/api-keys", new { name = "mine", roles = new[] { "viewer" } });

        read.StatusCode.Should().Be(HttpStatusCode.OK);
        mint.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        cancel.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        remove.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        ownKey.StatusCode.Should().Be(HttpStatusCode.Created, "in its own tenant the identity is an admin");
        (await Hosts.Platform.GetFromJsonAsync<JsonArray>("/identity/api-keys"))!.Should().NotContain(k => k!["name"]!.GetValue<string>() == "backdoor");
        (await Hosts.Platform.GetFromJsonAsync<JsonArray>("/channels/shopify/connections"))!.Single()!["removedAt"].Should().BeNull();
    }

    [Fact]
    public async Task An_API_key_is_shown_once_kept_as_a_hash_acts_with_its_roles_records_its_use_and_stops_when_revoked()
    {
        var created = await (await Hosts.Platform.PostAsJsonAsync("/identity/api-keys", new { name = "warehouse", roles = new[] { "operator" } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        var key = created!["key"]!.GetValue<string>();
        var id = created["apiKey"]!["id"]!.GetValue<string>();
        using var machine = Hosts.ClientFor(null);
        machine.DefaultRequestHeaders.Add("X-Api-Key", key);
        using var viewer = Hosts.ClientFor(null);
        viewer.DefaultRequestHeaders.Add("X-Api-Key", fixture.ApiKey);

        var read = await machine.GetAsync("/orders");
        var act = await machine.PutAsJsonAsync("/shipping/carriers/Sagawa", new { rakutenJpCode = "1002" });
        var tooHigh = await machine.PostAsJsonAsync("/channels/shopify/connections", new { name = "x", credentials = new { shop = "x", accessToken = "x", webhookSecret = "x" } });
        var viewerActs = await viewer.PutAsJsonAsync("/shipping/carriers/Sagawa", new { rakutenJpCode = "1002" });
        var listed = (await Hosts.Platform.GetFromJsonAsync<JsonArray>("/identity/api-keys"))!.Single(k => k!["id"]!.GetValue<string>() == id)!;
        await using (var scope = Hosts.Services.CreateAsyncScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().ApiKeys.AsNoTracking().SingleAsync(k => k.Id == Guid.Parse(id));
            row.SecretHash.Should().NotBeNullOrEmpty();
            (row.SecretHash + row.Name + row.Roles).Should().NotContain(key[^43..], "the key itself is never stored");
        }

        var revoke = await Hosts.Platform.DeleteAsync($"/identity/api-keys/{id}");
        var afterRevoke = await machine.GetAsync("/orders");
        var wrong = Hosts.ClientFor(null);
        wrong.DefaultRequestHeaders.Add("X-Api-Key", key[..^1] + (key[^1] == 'A' ? 'B' : 'A'));
        var tampered = await wrong.GetAsync("/orders");
        var audit = await Hosts.Platform.GetFromJsonAsync<JsonArray>("/shipping/audit");

        read.StatusCode.Should().Be(HttpStatusCode.OK);
        act.StatusCode.Should().Be(HttpStatusCode.OK);
        tooHigh.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        viewerActs.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        listed["lastUsedAt"].Should().NotBeNull();
        listed.ToJsonString().Should().NotContain(key[^43..]);
        revoke.StatusCode.Should().Be(HttpStatusCode.OK);
        afterRevoke.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        tampered.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        audit!.Should().Contain(e => e!["action"]!.GetValue<string>() == "carrier.set" && e["actor"]!.GetValue<string>() == $"api-key:warehouse ({id})");
    }

    [Fact]
    public async Task Every_change_is_in_the_audit_log_of_the_service_that_made_it_with_actor_outcome_and_no_secret()
    {
        using var operatorClient = Hosts.ClientFor(A.Tenant, "operator");
        (await operatorClient.PostAsync($"/catalog/products/{A.ProductId}/listings/{A.Connections["rakuten-jp"]}/unhide", null)).EnsureSuccessStatusCode();
        (await operatorClient.PutAsJsonAsync($"/inventory/connections/{A.Connections["rakuten-jp"]}/rules", new { buffer = 0 })).EnsureSuccessStatusCode();
        var refused = await Hosts.Platform.PutAsJsonAsync($"/channels/rakuten-fr/connections/{A.Connections["rakuten-fr"]}/credentials",
            new { credentials = new { login = Infrastructure.Marketplace.Seller, token = "secret-but-wrong-token" } });

        var catalog = await Hosts.Platform.GetFromJsonAsync<JsonArray>("/catalog/audit");
        var inventory = await Hosts.Platform.GetFromJsonAsync<JsonArray>("/inventory/audit");
        var france = await Hosts.Platform.GetFromJsonAsync<JsonArray>("/channels/rakuten-fr/audit");
        var identity = await Hosts.Platform.GetFromJsonAsync<JsonArray>("/identity/audit");
        var viewer = await Hosts.ClientFor(A.Tenant, "viewer").GetAsync("/catalog/audit");

        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        catalog!.Should().Contain(e => e!["action"]!.GetValue<string>() == "listing.unhide" && e["actor"]!.GetValue<string>() == "user:tests"
                                       && e["outcome"]!.GetValue<string>() == "succeeded" && e["target"]!.GetValue<string>().Contains(A.ProductId));
        inventory!.Should().Contain(e => e!["action"]!.GetValue<string>() == "stock-rule.set" && e["detail"]!.GetValue<string>().Contains("buffer 0"));
        france!.Should().Contain(e => e!["action"]!.GetValue<string>() == "connection.create" && e["outcome"]!.GetValue<string>() == "succeeded");
        france!.Should().Contain(e => e!["action"]!.GetValue<string>() == "connection.credentials" && e["outcome"]!.GetValue<string>() == "refused");
        identity!.Should().Contain(e => e!["action"]!.GetValue<string>() == "api-key.create");
        string.Join('\n', new[] { catalog, inventory, france, identity }.Select(a => a!.ToJsonString()))
            .Should().NotContainAny("secret-but-wrong-token", "tok-cat", "key-cat", "sec-cat", "shpat_catalog", "whsec_catalog", fixture.ApiKey);
        viewer.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the audit log is the tenant admins'");
    }

    private static string UnsignedToken()
    {
        static string B64(string json) => Base64UrlEncoder.Encode(json);
        return $"{B64("""{"alg":"none","typ":"JWT"}""")}.{B64($$"""{"iss":"{{TestIdentity.Issuer}}","aud":"{{TestIdentity.Audience}}","sub":"x","tenant_id":"{{Guid.NewGuid()}}","roles":["admin"],"exp":4102444800}""")}.";
    }
}
