using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;
using Xunit;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests.Observability;

/// <summary>The platform as deployed — each service its own process, each exporting OTLP to a collector in the test —
/// after one RMS order went all the way: published item, order polled (its first search answered 429), Shopify order,
/// fulfilment, tracking number in RMS. The tests read what ops would see of it.</summary>
public sealed class ObservedOrder : IAsyncLifetime
{
    public OtlpReceiver Otlp { get; private set; } = null!;

    public DistributedPlatform Platform { get; private set; } = null!;

    /// <summary>The RMS order number.</summary>
    public string Number { get; private set; } = "";

    public string RmsConnection { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Otlp = await OtlpReceiver.StartAsync();
        Platform = await DistributedPlatform.StartAsync(Otlp.Endpoint);
        await Marketplace.SeedAsync(Platform.Sandbox, [("Mug", "MUG-1")]);
        var shopify = await Marketplace.ConnectAsync(Platform["shopify"], "shopify", Platform.SandboxUrl);
        await Marketplace.WebhooksRegisteredAsync(Platform["shopify"], Platform.Sandbox, shopify);
        RmsConnection = await Marketplace.ConnectAsync(Platform["rakuten-jp"], "rakuten-jp", Platform.SandboxUrl);
        var manageNumber = "";
        await WaitAsync(async () =>
        {
            var listing = (await Platform["catalog"].GetFromJsonAsync<JsonArray>("/catalog/listings"))!
                .FirstOrDefault(l => l!["channel"]!.GetValue<string>() == "RakutenJp" && l["state"]!.GetValue<string>() == "Published");
            manageNumber = listing?["channelListingId"]?.GetValue<string>() ?? "";
            return manageNumber.Length > 0;
        }, "the mug published on RMS");

        // RMS says "too many requests" once: the poller waits it out, and ops see it counted.
        (await Platform.Sandbox.PostAsJsonAsync("/control/faults", new { api = "rms", endpoint = "order.searchOrder", kind = "RateLimited", count = 1 }))
            .EnsureSuccessStatusCode();
        Number = await PlaceAsync(Platform.Sandbox, RmsOrder(manageNumber, "MUG-1"));
        await WaitAsync(async () => (await ShopifyOrdersAsync(Platform.Sandbox)).Count == 1, "the RMS order in Shopify");
        await FulfilAsync(Platform.Sandbox, Number, "Yamato (JA)", ["4912-3456-7890"], null, ("MUG-1", 1));
        await WaitAsync(async () =>
            (await Platform.Sandbox.GetFromJsonAsync<JsonObject>($"/control/rms/shops/{Marketplace.RmsShop}/orders/{Number}"))!["PackageModelList"]![0]!["ShippingModelList"]!
                .AsArray().Any(s => s!["shippingNumber"]?.GetValue<string>() == "4912-3456-7890"), "the tracking number in RMS");

        // The merchant counts the mugs in Shopify: a webhook, Inventory's decision, the RMS bulk push.
        (await Platform.Sandbox.PutAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/inventory", new { sku = "MUG-1", available = 5 })).EnsureSuccessStatusCode();
    }

    public async Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 90, Func<string>? detail = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException($"Timed out waiting for {what}; {detail?.Invoke()}\n{Platform.Describe()}");
            }

            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Otlp.DisposeAsync();
    }
}

/// <summary>Issue 19: one order, one trace; the metrics that say whether a flow is behind; dashboards and alerts that
/// use only metrics a running service emits.</summary>
public sealed class ObservedOrderTests(ObservedOrder order) : IClassFixture<ObservedOrder>
{
    [Fact]
    public async Task An_RMS_order_is_one_trace_from_the_poll_that_found_it_to_the_tracking_number_RMS_accepted_with_no_orphan_span()
    {
        var otlp = order.Otlp;
        // Spans leave each process every half second, a parent after its children: wait until the trace is whole.
        List<ReceivedSpan> trace = [];
        string Missing() => string.Join("; ", Expectations(trace).Where(e => !e.Met).Select(e => e.What));
        await order.WaitAsync(() =>
        {
            var found = otlp.Spans.Where(s => s.Name == "rms order received" && s["platform.channel_order_id"] == order.Number).ToList();
            found.Should().HaveCount(1, "the order was found once, by one poll");
            trace = otlp.Spans.Where(s => s.TraceId == found[0].TraceId).ToList();
            return Task.FromResult(Expectations(trace).All(e => e.Met));
        }, "the order's whole trace", detail: () => Missing() + "\n" + string.Join("\n", trace));

        var root = trace.Single(s => s.ParentId is null);
        root.Name.Should().Be("rms order received");
        root.LinkedSpans.Should().ContainSingle("the poll that found the order is linked, not the parent")
            .Which.Should().BeOneOf(otlp.Spans.Where(s => s.Name == "rms order poll").Select(s => s.SpanId));
        trace.Select(s => s.Service).Distinct().Should().BeEquivalentTo(["rakuten-jp", "orders", "shopify", "shipping", "inventory"]);
        // The marketplaces' secrets (RMS's service secret and license key, Shopify's access token) are in no span.
        otlp.Spans.SelectMany(s => s.Attributes.Values)
            .Should().NotContain(v => v.Contains("sec-cat") || v.Contains("key-cat") || v.Contains("shpat_catalog"));
    }

    [Fact]
    public async Task A_stock_change_is_one_trace_from_its_webhook_and_the_bulk_push_that_carried_it_links_to_it()
    {
        var otlp = order.Otlp;
        ReceivedSpan? push = null;
        await order.WaitAsync(() =>
        {
            var spans = otlp.Spans;
            var webhooks = spans.Where(s => s.Service == "shopify" && s.ParentId is null && s.Kind == 2 && (s["url.path"] ?? "").Contains("/webhooks/", StringComparison.Ordinal))
                .Select(s => s.TraceId).ToHashSet();
            var byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
            push = spans.FirstOrDefault(s => s.Name == "rms stock push"
                                             && s.LinkedSpans.Any(l => byId.TryGetValue(l, out var linked) && webhooks.Contains(linked.TraceId)));
            return Task.FromResult(push is not null);
        }, "an RMS stock push linked to the trace of a Shopify stock webhook",
            detail: () => string.Join("\n", otlp.Spans.Where(s => s.Name == "rms stock push" || s.Service == "shopify" && s.ParentId is null)
                .Select(s => $"{s} {s["url.path"]} links: {string.Join(", ", s.LinkedSpans.Select(l => otlp.Spans.FirstOrDefault(x => x.SpanId == l)?.ToString() ?? l + " (not received)"))}")));

        push!.ParentId.Should().BeNull("a bulk push is its own trace, carrying changes of many");
        push.Service.Should().Be("rakuten-jp");
        var changeTrace = otlp.Spans.Where(s => push.LinkedSpans.Contains(s.SpanId)).Select(s => s.TraceId).First();
        var change = otlp.Spans.Where(s => s.TraceId == changeTrace).ToList();
        change.Select(s => s.Service).Distinct().Should().Contain(["shopify", "inventory", "rakuten-jp"], "the change went webhook → Inventory → the RMS adapter in one trace");
        otlp.Spans.Should().Contain(s => s.ParentId == push.SpanId && s.Kind == 3 && (s["url.full"] ?? "").Contains("/es/2.0/inventories/bulk-upsert", StringComparison.Ordinal),
            "the bulk-upsert call is a span of the push");
    }

    /// <summary>What the order's trace must hold; the last one is that no span's parent is missing from it.</summary>
    private static IEnumerable<(string What, bool Met)> Expectations(IReadOnlyList<ReceivedSpan> trace)
    {
        bool Has(string service, Func<ReceivedSpan, bool> span) => trace.Any(s => s.Service == service && span(s));
        bool Calls(string service, string path) => Has(service, s => s.Kind == 3 && (s["url.full"] ?? "").Contains(path, StringComparison.Ordinal));
        yield return ("poll found the order (rakuten-jp)", Has("rakuten-jp", s => s.Name == "rms order received"));
        yield return ("getOrder that read it (rakuten-jp)", Calls("rakuten-jp", "/es/2.0/order/getOrder/"));
        yield return ("import and decision (orders)", Has("orders", s => s.Name == "order import"));
        yield return ("Shopify export (shopify)", Has("shopify", s => s.Name == "shopify order export"));
        yield return ("orderCreate call (shopify)", Calls("shopify", "/graphql.json"));
        yield return ("export recorded (orders)", Has("orders", s => s.Name == "order exported"));
        yield return ("fulfilment (shopify)", Has("shopify", s => s.Name == "shopify fulfilment"));
        yield return ("shipment (shipping)", Has("shipping", s => s.Kind == 5));
        yield return ("tracking push (rakuten-jp)", Calls("rakuten-jp", "/es/2.0/order/updateOrderShipping/"));
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        var orphans = trace.Where(s => s.ParentId is not null && !ids.Contains(s.ParentId)).ToList();
        yield return ($"no orphan span ({string.Join(", ", orphans)})", orphans.Count == 0);
    }

    [Fact]
    public async Task The_metrics_say_how_far_behind_each_flow_is_and_how_the_marketplace_APIs_answer()
    {
        var rms = order.RmsConnection;
        var expected = new (string What, Func<ReceivedPoint, bool> Point)[]
        {
            ("order lag, RMS → Shopify", p => p.Metric == "platform.sync.lag" && p["flow"] == "order" && p["channel"] == "RakutenJp" && p["connection_id"] == rms),
            ("shipment lag, → RMS", p => p.Metric == "platform.sync.lag" && p["flow"] == "shipment" && p["channel"] == "RakutenJp" && p["connection_id"] == rms),
            ("listing lag, → RMS", p => p.Metric == "platform.sync.lag" && p["flow"] == "listing" && p["channel"] == "RakutenJp" && p["connection_id"] == rms),
            ("getOrder calls that succeeded", p => p.Metric == "platform.marketplace.calls" && p["channel"] == "RakutenJp" && p["operation"] == "order.getOrder" && p["outcome"] == "ok"),
            ("the searchOrder 429", p => p.Metric == "platform.marketplace.calls" && p["operation"] == "order.searchOrder" && p["outcome"] == "throttled"),
            ("the searchOrder 429, counted as throttling", p => p.Metric == "platform.marketplace.throttled" && p["channel"] == "RakutenJp" && p.Value >= 1),
            ("Shopify's orderCreate", p => p.Metric == "platform.marketplace.calls" && p["channel"] == "Shopify" && p["operation"] == "graphql mutation orderCreate" && p["outcome"] == "ok"),
            ("RMS rate-budget waits", p => p.Metric == "platform.marketplace.rate_limit.wait" && p["channel"] == "RakutenJp"),
            ("the order imported, accepted", p => p.Metric == "platform.orders.imported" && p["channel"] == "RakutenJp" && p["decision"] == "accepted" && p.Value >= 1),
            ("the order exported", p => p.Metric == "platform.orders.exported" && p["channel"] == "RakutenJp" && p.Value >= 1),
            ("holds by reason (none)", p => p.Metric == "platform.orders.held" && p["reason"] == "UnknownSku" && p.Value == 0),
            ("the orders outbox drained", p => p.Metric == "platform.outbox.backlog" && p["service"] == "orders" && p.Value == 0),
            ("the outbox's oldest age", p => p.Metric == "platform.outbox.oldest_age" && p["service"] == "shipping"),
            ("a queue's depth", p => p.Metric == "platform.queue.messages" && p["queue"] == "shipping-shippable-order"),
            ("an error queue, empty", p => p.Metric == "platform.queue.messages" && p["queue"] == "orders-channel-order-received_error" && p.Value == 0),
            ("the RMS connection healthy", p => p.Metric == "platform.connection.health" && p["connection_id"] == rms && p["health"] == "Healthy"),
            ("the RMS connection not paused", p => p.Metric == "platform.connection.paused" && p["connection_id"] == rms && p.Value == 0),
            ("the RMS connection's circuit closed", p => p.Metric == "platform.marketplace.circuit.state" && p["connection_id"] == rms && p.Value == 0),
            ("the RMS license's days left", p => p.Metric == "platform.connection.credentials_days_left" && p["connection_id"] == rms && p.Value > 0),
        };
        await order.WaitAsync(() => Task.FromResult(expected.All(e => order.Otlp.Points.Any(e.Point))), "every metric",
            detail: () => "missing: " + string.Join("; ", expected.Where(e => !order.Otlp.Points.Any(e.Point)).Select(e => e.What)));
    }

    [Fact]
    public async Task Every_metric_a_dashboard_or_an_alert_uses_is_emitted_by_a_running_service()
    {
        var used = DashboardsAndAlerts.MetricsUsed();
        used.Should().Contain(["platform_sync_lag", "platform_queue_messages", "platform_outbox_oldest_age", "platform_marketplace_throttled"]);
        // As the collector names them for Prometheus (deploy/otel/collector.yaml): dots made underscores, no suffix added.
        HashSet<string> Emitted() => order.Otlp.Metrics.Select(m => m.Metric.Replace('.', '_')).ToHashSet();
        await order.WaitAsync(() => Task.FromResult(used.All(Emitted().Contains)), "every metric the dashboards and alerts use",
            detail: () => "never emitted: " + string.Join(", ", used.Where(m => !Emitted().Contains(m))));
    }
}

/// <summary>What deploy/grafana/dashboards and deploy/prometheus/alerts.yml query.</summary>
public static class DashboardsAndAlerts
{
    public static string Deploy => Path.Combine(LocalInfrastructure.RepositoryRoot, "deploy");

    public static IEnumerable<string> DashboardFiles => Directory.GetFiles(Path.Combine(Deploy, "grafana", "dashboards"), "*.json");

    /// <summary>Each dashboard's panel queries: (dashboard file, panel title, expression).</summary>
    public static IEnumerable<(string Dashboard, string Panel, string Expr)> DashboardQueries() =>
        from file in DashboardFiles
        let dashboard = JsonNode.Parse(File.ReadAllText(file))!
        from panel in dashboard["panels"]!.AsArray()
        from target in panel!["targets"]!.AsArray()
        select (Path.GetFileName(file), panel["title"]!.GetValue<string>(), target!["expr"]!.GetValue<string>());

    public static IEnumerable<string> AlertExpressions()
    {
        var rules = new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, List<Dictionary<string, object>>>>(File.ReadAllText(Path.Combine(Deploy, "prometheus", "alerts.yml")));
        return rules["groups"].SelectMany(g => (List<object>)g["rules"]).Cast<Dictionary<object, object>>().Select(r => (string)r["expr"]);
    }

    /// <summary>The platform's metric names the queries use, histogram series (<c>_bucket</c>, <c>_sum</c>, <c>_count</c>) by their metric.</summary>
    public static IReadOnlySet<string> MetricsUsed() =>
        DashboardQueries().Select(q => q.Expr).Concat(AlertExpressions())
            .SelectMany(e => Regex.Matches(e, @"\bplatform_[a-z_]+").Select(m => Regex.Replace(m.Value, "_(bucket|sum|count)$", "")))
            .ToHashSet();
}
