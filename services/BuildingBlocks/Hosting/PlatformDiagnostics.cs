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
}
