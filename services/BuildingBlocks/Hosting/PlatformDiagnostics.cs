using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>The platform's own trace source and meter. Names start with <c>Rakuten.Platform.</c> so the
/// wildcard registered in <see cref="Telemetry"/> picks up every service's sources too.</summary>
public static class PlatformDiagnostics
{
    public const string SourceName = "Rakuten.Platform.BuildingBlocks";

    public static readonly ActivitySource ActivitySource = new(SourceName);

    public static readonly Meter Meter = new(SourceName);

    public static readonly Counter<long> OutboxPublished =
        Meter.CreateCounter<long>("platform.outbox.published", unit: "{message}", description: "Outbox messages published to the bus.");

    public static readonly Counter<long> OutboxPublishFailures =
        Meter.CreateCounter<long>("platform.outbox.publish_failures", unit: "{batch}", description: "Outbox relay batches that failed and will be retried.");

    public static readonly Histogram<double> OutboxPublishLatency =
        Meter.CreateHistogram<double>("platform.outbox.publish_latency", unit: "ms", description: "Time from the outbox row's commit to the broker's publish confirm.");

    public static readonly Counter<long> InboxDuplicates =
        Meter.CreateCounter<long>("platform.inbox.duplicates", unit: "{message}", description: "Deliveries recognised as duplicates and acknowledged without effect.");

    /// <summary>Seconds from the change a flow carries to the marketplace accepting it — stock and listing: the event
    /// that asked for the push; order: the time the buyer ordered on the marketplace → Shopify's order created;
    /// shipment: the fulfilment recorded by Shipping → the marketplace took the tracking number.</summary>
    public static readonly Histogram<double> SyncLag =
        Meter.CreateHistogram<double>("platform.sync.lag", unit: "s", description: "Event time to the marketplace accepting it, per channel, flow and connection.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600] });

    public static readonly Counter<long> MarketplaceCalls =
        Meter.CreateCounter<long>("platform.marketplace.calls", unit: "{call}", description: "Marketplace API calls (each attempt) by channel, operation and outcome.");

    public static readonly Counter<long> MarketplaceThrottled =
        Meter.CreateCounter<long>("platform.marketplace.throttled", unit: "{call}", description: "Marketplace answers that said slow down (429, Shopify THROTTLED), by channel and operation.");

    public static readonly Histogram<double> MarketplaceCallDuration =
        Meter.CreateHistogram<double>("platform.marketplace.call.duration", unit: "s", description: "Duration of one marketplace API attempt.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] });

    public static readonly Histogram<double> RateLimitWait =
        Meter.CreateHistogram<double>("platform.marketplace.rate_limit.wait", unit: "s", description: "Time a call waited for its slot in the API's rate budget.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] });

    public static readonly Counter<long> OrdersImported =
        Meter.CreateCounter<long>("platform.orders.imported", unit: "{order}", description: "Marketplace orders imported, by channel and decision (accepted, held).");

    public static readonly Counter<long> OrdersExported =
        Meter.CreateCounter<long>("platform.orders.exported", unit: "{order}", description: "Orders created in Shopify, by the marketplace channel they came from.");

    public static void RecordSyncLag(string channel, string flow, Guid connectionId, DateTimeOffset since, DateTimeOffset now) =>
        SyncLag.Record(Math.Max(0, (now - since).TotalSeconds),
            new("channel", channel), new("flow", flow), new("connection_id", connectionId.ToString()));

    public static void RecordRateLimitWait(string channel, string api, TimeSpan waited) =>
        RateLimitWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("channel", channel), new("api", api));
}
