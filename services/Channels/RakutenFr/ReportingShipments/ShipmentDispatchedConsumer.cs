using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Channels.RakutenFr.ImportingSales;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Channels.RakutenFr.ReportingShipments;

/// <summary>A shipment of a Rakuten France sale → settrackingpackageinfos for each tracked unit, always with a tracking URL
/// (the Shipping service resolved the transporter and built the URL; <c>Autre</c> carries one); untracked units ("Normal"
/// delivery, no number) in one importitemshippingstatus file with their purchase and item ids. A prepaid-label delivery
/// keeps the number and URL Rakuten issued. A unit Rakuten already shows as shipped (a
/// redelivery after a crash) counts as done; Rakuten's errors go back on the shipment. The sales poller sees the units
/// shipped and reports the sale's new status.</summary>
public sealed class ShipmentDispatchedConsumer(
    RakutenFrDbContext db, ConnectionSecrets secrets, RakutenFrSalesClient sales, TimeProvider clock, ILogger<ShipmentDispatchedConsumer> logger) : IConsumer<ShipmentDispatched>
{
    public async Task Consume(ConsumeContext<ShipmentDispatched> context)
    {
        var m = context.Message;
        if (m.Channel != Channel.RakutenFr || !long.TryParse(m.ChannelOrderId, out var purchaseId))
        {
            return;
        }

        await db.ExecuteOnceAsync(context, nameof(ShipmentDispatchedConsumer), async ct =>
        {
            var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == m.ConnectionId, ct);
            if (connection is null)
            {
                return;
            }

            var credentials = secrets.Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials);
            var prepaid = await sales.PrepaidLabelAsync(connection, credentials, purchaseId, ct);
            var errors = new List<ChannelError>();
            // Untracked units (no number, no prepaid label): the batch file, where purchase and item ids are all Rakuten needs.
            var untracked = prepaid is null ? m.Packages.Where(p => p.TrackingNumber is null).ToList() : [];
            if (untracked.Count > 0)
            {
                try
                {
                    await sales.ImportShippingStatusAsync(connection, credentials,
                        untracked.Select(p => (purchaseId, long.Parse(p.PackageId, CultureInfo.InvariantCulture), p.Carrier.RakutenFrTransporter)).ToList(), ct);
                }
                catch (RakutenFrException ex) when (ex.Error.Code == "ParameterError")
                {
                    errors.Add(new ChannelError(ex.Error.Code, $"untracked units {string.Join(", ", untracked.Select(p => p.PackageId))}: {ex.Error.Message}"));
                }
            }

            foreach (var package in m.Packages.Except(untracked))
            {
                var itemId = long.Parse(package.PackageId, CultureInfo.InvariantCulture);
                var (transporter, number, url) = prepaid is { } label
                    ? (Prepaid(label.Url) ?? package.Carrier.RakutenFrTransporter ?? "Colissimo", label.Number, label.Url)
                    : (package.Carrier.RakutenFrTransporter ?? "Autre", package.TrackingNumber!, package.Carrier.TrackingUrl ?? "");
                try
                {
                    await sales.SetTrackingAsync(connection, credentials, itemId, transporter, number, url, ct);
                }
                catch (RakutenFrException ex) when (ex.Error.Code == "ParameterError")
                {
                    if (await sales.ItemStatusAsync(connection, credentials, itemId, ct) != "SHIPPED")
                    {
                        errors.Add(new ChannelError(ex.Error.Code, $"item {itemId}: {ex.Error.Message}"));
                        continue;
                    }
                }
            }

            var now = clock.GetUtcNow();
            if (errors.Count > 0)
            {
                db.AddToOutbox(new ShipmentRejectedByChannel(m.TenantId, m.ConnectionId, m.ShipmentId, m.OrderId, m.ChannelOrderId,
                    new ChannelError(errors[0].Code, string.Join("; ", errors.Select(e => e.Message))), now));
                logger.LogWarning("Rakuten France refused shipment {Shipment} of sale {Purchase}: {Errors}", m.ShipmentId, purchaseId, string.Join("; ", errors.Select(e => e.Message)));
                return;
            }

            db.AddToOutbox(new ShipmentConfirmedByChannel(m.TenantId, m.ConnectionId, m.ShipmentId, m.OrderId, m.ChannelOrderId, now));
            db.AfterCommit(() => PlatformDiagnostics.RecordSyncLag(m.Channel.ToString(), "shipment", m.ConnectionId, m.OccurredAt, now));
            logger.LogInformation("Rakuten France sale {Purchase}: tracking set on {Units} unit(s)", purchaseId, m.Packages.Count);
        }, logger);
    }

    /// <summary>The carrier of a label Rakuten issued, from its tracking URL.</summary>
    private static string? Prepaid(string url) =>
        url.Contains("mondialrelay", StringComparison.OrdinalIgnoreCase) ? "Mondial Relay"
        : url.Contains("chronopost", StringComparison.OrdinalIgnoreCase) ? "Chronopost"
        : url.Contains("laposte", StringComparison.OrdinalIgnoreCase) || url.Contains("colissimo", StringComparison.OrdinalIgnoreCase) ? "Colissimo"
        : null;
}
