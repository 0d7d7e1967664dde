using System.Net;
using System.Security.Claims;
using FluentAssertions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.BuildingBlocks.Tests;

/// <summary>The security rules that need no process: roles, the caller's tenant, API key shapes, the outbound policy,
/// XML parsing and the settings a distributed service refuses to start without.</summary>
public sealed class SecurityRulesTests
{
    private static readonly IdentitySettings Settings = new("https://idp.example/", "rakuten-platform", null, "keys.json", "tenant_id", "roles");

    private static HttpContext Request(string? query, Guid? tenant, params string[] roles) => Request("GET", query, tenant, roles);

    private static HttpContext Request(string method, string? query, Guid? tenant, params string[] roles)
    {
        var claims = new List<Claim> { new("sub", "alice") };
        if (tenant is { } t) claims.Add(new Claim("tenant_id", t.ToString()));
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        var context = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity(claims, "test")),
            RequestServices = new ServiceCollection().AddSingleton(Settings).BuildServiceProvider(),
        };
        context.Request.Method = method;
        context.Request.QueryString = query is null ? QueryString.Empty : new QueryString(query);
        return context;
    }

    [Theory]
    [InlineData("viewer", "viewer", true)]
    [InlineData("viewer", "operator", false)]
    [InlineData("operator", "viewer", true)]
    [InlineData("operator", "operator", true)]
    [InlineData("operator", "admin", false)]
    [InlineData("admin", "operator", true)]
    [InlineData("admin", "ops", false)]
    [InlineData("ops", "viewer", false)]
    [InlineData("ops", "ops", true)]
    public void Each_role_grants_the_roles_below_it_and_ops_is_apart(string held, string wanted, bool granted) =>
        PlatformRoles.Grants(new HashSet<string> { held }, wanted).Should().Be(granted);

    [Fact]
    public void The_tenant_is_the_identity_s_own_and_naming_another_one_finds_nothing()
    {
        var home = Guid.NewGuid();
        var other = Guid.NewGuid();

        Caller.For(Request(null, home, "viewer")).Tenant.Should().Be(home);
        Caller.For(Request($"?tenantId={home}", home, "viewer")).Tenant.Should().Be(home);
        var naming = () => Caller.For(Request($"?tenantId={other}", home, "admin"));

        naming.Should().Throw<PlatformProblem>().Which.Status.Should().Be(404);
    }

    [Fact]
    public void Ops_reads_the_tenant_it_names_marked_as_cross_tenant_and_must_name_one()
    {
        var tenant = Guid.NewGuid();

        var caller = Caller.For(Request($"?tenantId={tenant}", null, "ops"));
        var unnamed = () => Caller.For(Request(null, null, "ops"));
        var malformed = () => Caller.For(Request("?tenantId=not-a-guid", null, "ops"));
        var noTenant = () => Caller.For(Request(null, null, "viewer"));
        var acting = () => Caller.For(Request("POST", $"?tenantId={tenant}", Guid.NewGuid(), "ops", "admin"));

        caller.Tenant.Should().Be(tenant);
        caller.CrossTenant.Should().BeTrue();
        caller.Actor.Should().Be("user:alice");
        unnamed.Should().Throw<PlatformProblem>().Which.Errors.Should().ContainKey("tenantId");
        malformed.Should().Throw<PlatformProblem>().Which.Status.Should().Be(400);
        noTenant.Should().Throw<PlatformProblem>().Which.Status.Should().Be(403);
        acting.Should().Throw<PlatformProblem>().Which.Status.Should().Be(403, "ops reads another tenant, whatever else it is in its own");
    }

    [Fact]
    public void An_api_key_is_found_by_its_id_and_matched_by_its_secret_s_hash_only()
    {
        var id = Guid.NewGuid();
        var (key, hash) = ApiKeyFormat.New(id);
        var parsed = ApiKeyFormat.Parse(key);

        key.Should().StartWith("rpk_").And.NotContain(hash);
        parsed!.Value.Id.Should().Be(id);
        ApiKeyFormat.Matches(parsed.Value.Secret, hash).Should().BeTrue();
        ApiKeyFormat.Matches(parsed.Value.Secret + "x", hash).Should().BeFalse();
        ApiKeyFormat.Parse(key + "x").Should().BeNull();
        ApiKeyFormat.Parse("rpk_" + new string('z', 76)).Should().BeNull();
        ApiKeyFormat.Parse("Bearer " + key).Should().BeNull();
    }

    [Fact]
    public void After_thirty_failed_api_keys_in_a_minute_an_address_gets_no_more_look_ups_but_a_key_that_worked_still_does()
    {
        var guard = new ApiKeyGuard();
        var good = Guid.NewGuid();
        guard.Succeeded(good);
        for (var i = 0; i < 29; i++) guard.Failed("10.1.1.1");

        guard.MayLookUp("10.1.1.1", Guid.NewGuid()).Should().BeTrue("29 failures are still under the limit");
        guard.Failed("10.1.1.1");
        guard.MayLookUp("10.1.1.1", Guid.NewGuid()).Should().BeFalse();
        guard.MayLookUp("10.1.1.1", null).Should().BeFalse();
        guard.MayLookUp("10.1.1.1", good).Should().BeTrue("a key that authenticated lately is not locked out by someone sharing its address");
        guard.MayLookUp("10.2.2.2", Guid.NewGuid()).Should().BeTrue("other addresses are not affected");
    }

    [Theory]
    [InlineData("https://api.rms.rakuten.co.jp", Channel.RakutenJp, true, null)]
    [InlineData("https://api.rms.rakuten.co.jp/es", Channel.RakutenJp, true, null)]
    [InlineData("https://api.rms.rakuten.co.jp:8443", Channel.RakutenJp, false, null)]
    [InlineData("http://api.rms.rakuten.co.jp", Channel.RakutenJp, false, null)]
    [InlineData("https://ws.fr.shopping.rakuten.com", Channel.RakutenFr, true, null)]
    [InlineData("https://ws.fr.shopping.rakuten.com", Channel.RakutenJp, false, null)]
    [InlineData("https://demo-store.myshopify.com", Channel.Shopify, true, null)]
    [InlineData("https://evil.example/x.myshopify.com", Channel.Shopify, false, null)]
    [InlineData("https://a.b.myshopify.com", Channel.Shopify, false, null)]
    [InlineData("https://127.0.0.1", Channel.Shopify, false, null)]
    [InlineData("https://169.254.169.254/latest/meta-data", Channel.RakutenJp, false, null)]
    [InlineData("http://127.0.0.1:5190", Channel.RakutenJp, true, null)]
    [InlineData("http://127.0.0.1:5191", Channel.RakutenJp, false, null)]
    [InlineData("ftp://api.rms.rakuten.co.jp", Channel.RakutenJp, false, "must be an absolute https URL")]
    [InlineData("file:///etc/passwd", Channel.RakutenJp, false, "must be an absolute https URL")]
    [InlineData("gopher://127.0.0.1:6379/_INFO", Channel.RakutenJp, false, "must be an absolute https URL")]
    [InlineData("/relative", Channel.RakutenJp, false, "must be an absolute https URL")]
    [InlineData("https://user:pass@api.rms.rakuten.co.jp", Channel.RakutenJp, false, "must not carry credentials, a query or a fragment")]
    [InlineData("https://api.rms.rakuten.co.jp/?x=1", Channel.RakutenJp, false, "must not carry credentials, a query or a fragment")]
    public void A_base_url_is_the_marketplace_s_official_https_host_or_an_origin_the_operator_allowed(string url, Channel channel, bool allowed, string? shape)
    {
        var policy = new OutboundPolicy(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Outbound:AllowedOrigins:0"] = "http://127.0.0.1:5190",
        }).Build());

        policy.Check(channel, url).Should().Be((allowed, shape));
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.1.2.3", false)]
    [InlineData("::1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00:ec2::254", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::7f00:1", false)]
    public void Loopback_private_link_local_shared_and_metadata_addresses_are_not_public(string address, bool isPublic) =>
        OutboundPolicy.IsPublic(IPAddress.Parse(address)).Should().Be(isPublic);

    [Fact]
    public void An_origin_or_network_the_operator_misspelled_stops_the_start()
    {
        IConfiguration Config(string key, string value) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var origin = () => new OutboundPolicy(Config("Platform:Outbound:AllowedOrigins:0", "127.0.0.1:5190"));
        var network = () => new OutboundPolicy(Config("Platform:Outbound:AllowedNetworks:0", "10.0.0.0/33"));

        origin.Should().Throw<InvalidOperationException>().WithMessage("*AllowedOrigins*");
        network.Should().Throw<InvalidOperationException>().WithMessage("*AllowedNetworks*");
    }

    [Fact]
    public async Task Xml_answers_with_a_DTD_are_refused_so_no_entity_is_expanded_or_fetched()
    {
        const string external = """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><r>&x;</r>""";
        const string laughs = """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>""";
        const string plain = """<?xml version="1.0" encoding="ISO-8859-1"?><getitemtodolistresult><item>é</item></getitemtodolistresult>""";

        async Task<System.Xml.Linq.XDocument> Load(string xml, System.Text.Encoding encoding) =>
            await SafeXml.LoadAsync(new MemoryStream(encoding.GetBytes(xml)), CancellationToken.None);

        await FluentActions.Awaiting(() => Load(external, System.Text.Encoding.UTF8)).Should().ThrowAsync<System.Xml.XmlException>().WithMessage("*DTD*");
        await FluentActions.Awaiting(() => Load(laughs, System.Text.Encoding.UTF8)).Should().ThrowAsync<System.Xml.XmlException>();
        (await Load(plain, System.Text.Encoding.Latin1)).Root!.Value.Should().Be("é");
    }

    [Fact]
    public void A_distributed_service_without_an_identity_provider_does_not_start_and_the_embedded_demo_uses_its_own_key()
    {
        IConfiguration Config(params (string, string)[] pairs) =>
            new ConfigurationBuilder().AddInMemoryCollection(pairs.ToDictionary(p => p.Item1, p => (string?)p.Item2)).Build();
        var distributed = new PlatformOptions(PlatformMode.Distributed, "orders", "/tmp", "Host=x", "amqp://x", null);
        var embedded = distributed with { Mode = PlatformMode.Embedded };

        var none = () => IdentitySettings.From(Config(), distributed);
        var noKeys = () => IdentitySettings.From(Config(("Platform:Identity:Issuer", "https://idp.example/")), distributed);
        var configured = IdentitySettings.From(Config(("Platform:Identity:Issuer", "https://idp.example/"), ("Platform:Identity:Authority", "https://idp.example/")), distributed);
        var demo = IdentitySettings.From(Config(), embedded);

        none.Should().Throw<InvalidOperationException>().WithMessage("*Platform:Identity:Issuer*");
        noKeys.Should().Throw<InvalidOperationException>().WithMessage("*SigningKeysFile*");
        configured.Development.Should().BeFalse();
        demo.Development.Should().BeTrue();
        demo.Issuer.Should().Be(DevelopmentIdentity.Issuer);
    }

    [Theory]
    [InlineData("ok", null)]
    [InlineData("", "is required")]
    [InlineData(null, "is required")]
    [InlineData("a\u0000b", "must not contain control characters (line breaks, tabs, NUL…)")]
    [InlineData("line\nbreak", "must not contain control characters (line breaks, tabs, NUL…)")]
    [InlineData("0123456789x", "must be at most 10 characters (it has 11)")]
    public void Text_fields_have_a_length_and_no_control_characters(string? value, string? problem) =>
        Text.Problem(value, 1, 10).Should().Be(problem);
}
