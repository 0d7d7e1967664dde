using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ExportingOrders;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Channels.Shopify.SyncingStock;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.Shopify.CancellingOrders;

/// <summary>A cancelled marketplace order whose Shopify order is to be cancelled, or never created.</summary>
public sealed class ShopifyCancellation
{
    public required Guid OrderId { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public DateTimeOffset? DoneAt { get; set; }

    /// <summary>What happened: cancelled and restocked, never created, or Shopify's refusal.</summary>
    public string? Outcome { get; set; }
}

/// <summary>Records that the order's Shopify side must be cancelled — or, for some of its units, edited — and wakes the
/// exporter's loop that does it.</summary>
public sealed class OrderCancelledConsumer(ShopifyDbContext db, OrderExporter exporter, TimeProvider clock, ILogger<OrderCancelledConsumer> logger) : IConsumer<OrderCancelled>
{
    public async Task Consume(ConsumeContext<OrderCancelled> context)
    {
        var m = context.Message;
        await db.ExecuteOnceAsync(context, nameof(OrderCancelledConsumer), async ct =>
        {
            var whole = m.Lines.Count == 0 || await IsWholeOrderAsync(m, ct);
            if (!whole)
            {
                // Some units only (a Rakuten France item): the Shopify order is edited, those units taken off and restocked.
                await EditingOrders.ShopifyOrderEditRequests.RequestAsync(db, m.TenantId, m.OrderId, null, m.Lines,
                    $"{m.Lines.Sum(l => l.Quantity)} unit(s) cancelled on {m.Channel} (order {m.ChannelOrderId})", clock.GetUtcNow(), ct);
                await db.SaveChangesAsync(ct);
                logger.LogInformation("{Channel} order {Order}: {Count} unit(s) cancelled; the Shopify order is edited", m.Channel, m.ChannelOrderId, m.Lines.Sum(l => l.Quantity));
                return;
            }

            // The connection's status mapping keeps the Shopify order of a marketplace cancellation (tagged, not cancelled):
            // one that exists stays; one still to create is never created all the same.
            if (!m.CancelInShopify && await db.OrderExports.AnyAsync(e => e.OrderId == m.OrderId && e.State == ExportState.Created, ct))
            {
                logger.LogInformation("{Channel} order {Order} cancelled on the marketplace; its Shopify order is kept, as the status mapping says", m.Channel, m.ChannelOrderId);
                return;
            }

            if (!await db.ShopifyCancellations.AnyAsync(c => c.OrderId == m.OrderId, ct))
            {
                db.ShopifyCancellations.Add(new ShopifyCancellation { OrderId = m.OrderId, RequestedAt = clock.GetUtcNow() });
            }
        }, logger);
        exporter.Wake();
    }

    /// <summary>Whether the cancelled units are all of the order's (the export recorded the order as accepted).</summary>
    private async Task<bool> IsWholeOrderAsync(OrderCancelled m, CancellationToken ct)
    {
        var export = await db.OrderExports.AsNoTracking().FirstOrDefaultAsync(e => e.OrderId == m.OrderId, ct);
        if (export is null)
        {
            return true;
        }

        var order = System.Text.Json.JsonSerializer.Deserialize<ChannelOrder>(export.Order, BuildingBlocks.Messaging.PlatformJson.Options)!;
        return order.Lines.Sum(l => l.Quantity) <= m.Lines.Sum(l => l.Quantity);
    }
}

/// <summary>Cancels the Shopify orders of cancelled marketplace orders, restocking their units (orderCancel with restock:
/// the units orderCreate took go back, and Shopify's inventory webhook carries them to every channel). An order whose
/// creation is still to come is never created; one whose creation was interrupted is looked up by its tag first.</summary>
public sealed class ShopifyOrderCanceller(IServiceScopeFactory scopes, ShopifyAdminClient shopify, TimeProvider clock, ILogger<ShopifyOrderCanceller> logger) : IRunsBetweenExports
{
    private const string CancelOrder = """
        mutation Cancel($orderId: ID!) {
          orderCancel(orderId: $orderId, reason: OTHER, refund: false, restock: true, notifyCustomer: false, staffNote: "Cancelled on the marketplace (Rakuten.Platform)") {
            job { id } orderCancelUserErrors { field message code }
          }
        }
        """;

    public async Task RunDueAsync(CancellationToken ct)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            due = await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().ShopifyCancellations
                .Where(c => c.DoneAt == null).OrderBy(c => c.RequestedAt).Select(c => c.OrderId).ToListAsync(ct);
        }

        await BackgroundRounds.EachAsync(due, CancelAsync, logger, "Cancelling the Shopify order", ct);
    }

    private async Task CancelAsync(Guid orderId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
        var cancellation = await db.ShopifyCancellations.FirstAsync(c => c.OrderId == orderId, ct);
        var export = await db.OrderExports.FirstOrDefaultAsync(e => e.OrderId == orderId, ct);
        var now = clock.GetUtcNow();
        if (export is null || export.State is ExportState.Pending or ExportState.Refused or ExportState.Cancelled)
        {
            if (export is not null) export.State = ExportState.Cancelled;
            Done(cancellation, now, "no Shopify order was created; none will be");
            await db.SaveChangesAsync(ct);
            return;
        }

        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == export.ConnectionId, ct);
        if (connection.FlowsPaused)
        {
            return;
        }

        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<ShopifyCredentials>(connection.ProtectedCredentials);
        if (export.State == ExportState.Attempted)
        {
            var found = await OrderExporter.FindByTagAsync(shopify, connection, credentials, export, ct);
            if (found is null)
            {
                export.State = ExportState.Cancelled;
                Done(cancellation, now, "the interrupted creation had made no Shopify order; none will be");
                await db.SaveChangesAsync(ct);
                return;
            }

            export.State = ExportState.Created;
            export.ShopifyOrderId = found["id"]!.GetValue<string>();
            export.ShopifyOrderName = found["name"]?.GetValue<string>() ?? "";
        }

        var answer = await shopify.GraphQlAsync(connection, credentials, CancelOrder, new { orderId = export.ShopifyOrderId }, ct);
        var payload = answer["data"]?["orderCancel"] ?? throw new InvalidOperationException($"Shopify did not answer orderCancel: {answer.ToJsonString()[..Math.Min(300, answer.ToJsonString().Length)]}");
        var errors = (payload["orderCancelUserErrors"] as JsonArray ?? []).OfType<JsonObject>().Select(e => $"{e["message"]} ({e["code"]})").ToList();
        Done(cancellation, now, errors.Count == 0
            ? $"Shopify order {export.ShopifyOrderName} cancelled and restocked"
            : $"Shopify did not cancel {export.ShopifyOrderName}: {string.Join("; ", errors)}");
        await db.SaveChangesAsync(ct);
        logger.LogInformation("{Outcome} ({Channel} {Order})", cancellation.Outcome, export.Channel, export.ChannelOrderId);
    }

    private static void Done(ShopifyCancellation cancellation, DateTimeOffset now, string outcome)
    {
        cancellation.DoneAt = now;
        cancellation.Outcome = outcome;
    }
}
