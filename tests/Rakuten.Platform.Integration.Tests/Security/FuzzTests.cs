using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Security;

/// <summary>Bad input never yields a 5xx (issue 17, item 8): 2,400 requests over every route of the platform, each a
/// valid one with one to three mutations (ids, query, body, content type, identity, method), from a fixed seed — the same
/// requests on every run — and the service healthy afterwards.</summary>
public sealed class FuzzTests(SecuredMarketplace fixture) : IClassFixture<SecuredMarketplace>
{
    private const int Seed = 17_017;
    private const int Requests = 2_400;

    private static readonly string[] Strings =
    [
        "", " ", "null", "0", "-1", "99999999999999999999", "1e308", "NaN", "true", "..", "../../etc/passwd", "%00", "%2e%2e%2f", "\u0000", "\r\nX-Injected: 1",
        "' OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x}", "ｔｅｓｔ", "🙂", "\ud800", "00000000-0000-0000-0000-000000000000",
        "http://169.254.169.254/", "file:///etc/passwd", new string('a', 300), new string('b', 5_000),
    ];

    private static readonly JsonNode?[] Values =
    [
        null, 0, -1, int.MaxValue, long.MinValue, 1.5, true, false, "", "\u0000", new string('z', 70_000), new JsonArray(), new JsonObject(),
        new JsonArray(1, "two", null), JsonNode.Parse("""{"a":{"b":{"c":[1,2,{"d":null}]}}}"""), "00000000-0000-4000-8000-000000000001",
    ];

    [Fact]
    public async Task Two_thousand_four_hundred_mutated_requests_over_every_route_never_get_a_5xx_and_the_service_stays_healthy()
    {
        var hosts = fixture.Hosts;
        var routes = PlatformRoutes.Of(hosts);
        var random = new Random(Seed);
        using var admin = hosts.ClientFor(fixture.A.Tenant, "admin", "operator", "viewer");
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < Requests; i++)
        {
            var route = routes[i % routes.Count]; // every route, over and over
            using var request = PlatformRoutes.Request(route, fixture.A, randomIds: random.Next(3) == 0, validBody: random.Next(2) == 0);
            var description = Mutate(request, route, random);
            HttpResponseMessage response;
            try
            {
                response = await admin.SendAsync(request);
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"#{i} {route} [{description}]: no answer ({ex.Message})");
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500)
                {
                    failures.Add($"#{i} {route} [{description}] → {status}: {Truncate(await response.Content.ReadAsStringAsync(), 300)}");
                }
            }
        }

        var ready = await admin.GetAsync("/health/ready");
        var works = await admin.GetAsync("/orders");

        failures.Should().BeEmpty("bad input is the caller's error (4xx), never the platform's; statuses seen: {0}",
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        statuses.Keys.Should().Contain([400, 401, 404], "the mutations reach validation, identity and lookup");
        statuses.Values.Sum().Should().Be(Requests);
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        works.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>Applies one to three mutations; returns what was done, to name a failing request.</summary>
    private static string Mutate(HttpRequestMessage request, Route route, Random random)
    {
        var done = new List<string>();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            switch (random.Next(7))
            {
                case 0:
                {
                    // A path segment replaced (an id, an action, a name).
                    var segments = request.RequestUri!.OriginalString.Split('/');
                    var at = random.Next(1, segments.Length);
                    // An empty first segment would make "//…" a host name, not a path.
                    segments[at] = Uri.EscapeDataString(Pick(Strings, random)) is { Length: > 0 } escaped ? escaped : "%20";
                    request.RequestUri = new Uri(string.Join('/', segments), UriKind.Relative);
                    done.Add($"segment {at}");
                    break;
                }

                case 1:
                {
                    var name = Pick(["tenantId", "status", "limit", "before", "productId", "connectionId", "state", "sku", "api"], random);
                    var separator = request.RequestUri!.OriginalString.Contains('?') ? '&' : '?';
                    request.RequestUri = new Uri($"{request.RequestUri.OriginalString}{separator}{name}={Uri.EscapeDataString(Pick(Strings, random))}", UriKind.Relative);
                    done.Add($"query {name}");
                    break;
                }

                case 2 when request.Content is not null:
                {
                    request.Content = new StringContent(MutateJson(request.Content.ReadAsStringAsync().GetAwaiter().GetResult(), random), Encoding.UTF8, "application/json");
                    done.Add("body field");
                    break;
                }

                case 3:
                {
                    var body = Pick(["", "{", "null", "[]", "\"x\"", "{\"a\":}", new string('[', 200) + new string(']', 200), "\u0000\u0001", new string('x', 70_000),
                        "{\"name\":\"" + new string('n', 60_000) + "\"}"], random);
                    request.Content = new StringContent(body, Encoding.UTF8);
                    request.Content.Headers.Remove("Content-Type");
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", Pick(["application/json", "text/plain", "application/xml", "application/json; charset=latin1", "multipart/form-data; boundary=x"], random));
                    done.Add("body replaced");
                    break;
                }

                case 4:
                {
                    var kind = random.Next(5);
                    request.Headers.Authorization = kind switch
                    {
                        0 => null,
                        1 => new AuthenticationHeaderValue("Bearer", Convert.ToBase64String(Guid.NewGuid().ToByteArray())),
                        2 => new AuthenticationHeaderValue("Basic", "YWRtaW46YWRtaW4="),
                        3 => new AuthenticationHeaderValue("ApiKey", "rpk_" + new string('0', 32) + "_" + new string('A', 43)),
                        _ => new AuthenticationHeaderValue("Bearer", new string('e', 6_000)),
                    };
                    if (kind == 0)
                    {
                        request.Headers.TryAddWithoutValidation("X-Api-Key", new string(Pick(Strings, random).Where(c => c is >= ' ' and <= '~').ToArray()));
                    }

                    done.Add($"identity {kind}");
                    break;
                }

                case 5:
                {
                    request.Method = new HttpMethod(Pick(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"], random));
                    done.Add($"method {request.Method}");
                    break;
                }

                default:
                {
                    foreach (var header in new[] { "X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Event-Id", "X-Shopify-Shop-Domain", "X-Shopify-Triggered-At" })
                    {
                        // What HTTP can carry in a header: visible ASCII (the client refuses anything else before sending).
                        request.Headers.TryAddWithoutValidation(header, new string(Pick(Strings, random).Where(c => c is >= ' ' and <= '~').ToArray()));
                    }

                    done.Add("shopify headers");
                    break;
                }
            }
        }

        return string.Join(", ", done);
    }

    private static string MutateJson(string json, Random random)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return json; // already replaced by something that is not JSON
        }

        if (node is not JsonObject root)
        {
            return json;
        }

        var target = root;
        // Sometimes one level down (credentials).
        if (random.Next(2) == 0 && root.Select(p => p.Value).OfType<JsonObject>().FirstOrDefault() is { } inner)
        {
            target = inner;
        }

        var names = target.Select(p => p.Key).ToList();
        switch (random.Next(3))
        {
            case 0 when names.Count > 0:
                target.Remove(Pick(names, random));
                break;
            case 1 when names.Count > 0:
                target[Pick(names, random)] = Pick(Values, random)?.DeepClone();
                break;
            default:
                target[Pick(["tenantId", "extra", "__proto__", "$type", "roles"], random)] = Pick(Values, random)?.DeepClone();
                break;
        }

        return root.ToJsonString();
    }

    private static T Pick<T>(IReadOnlyList<T> items, Random random) => items[random.Next(items.Count)];

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
