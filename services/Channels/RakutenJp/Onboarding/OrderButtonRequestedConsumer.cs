using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.Onboarding;

/// <summary>The merchant hides (or shows again) the order button of existing items the platform does not drive yet —
/// the Shopify↔Rakuten app's hidden order button for items not yet migrated: <c>features.displayNormalCartButton</c>,
/// nothing else of the item. Each item's outcome is reported once; the PATCH sets a value, so a redelivery is harmless.</summary>
public sealed class OrderButtonRequestedConsumer(
    RakutenJpDbContext db, ConnectionSecrets secrets, RmsItemClient items, TimeProvider clock, ILogger<OrderButtonRequestedConsumer> logger)
    : IConsumer<OrderButtonRequested>
{
    public async Task Consume(ConsumeContext<OrderButtonRequested> context)
    {
        var request = context.Message;
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.ConnectionId && c.RemovedAt == null, context.CancellationToken);
        if (connection is null)
        {
            return;
        }

        var outcomes = new List<OrderButtonChanged>();
        foreach (var itemId in request.ItemIds.Distinct())
        {
            ChannelError? error = null;
            if (connection.FlowsPaused)
            {
                error = new ChannelError("CONNECTION_PAUSED", $"The RMS connection is {connection.Health}: update its credentials, then ask again.");
            }
            else if (RmsItemMapping.IsManaged(itemId))
            {
                error = new ChannelError("PLATFORM_ITEM", $"{itemId} is the platform's own item: hide it from the catalog's listing instead.");
            }
            else
            {
                var credentials = secrets.Unprotect<RmsCredentials>(connection.ProtectedCredentials);
                var answer = await items.PatchAsync(connection.Id, connection.BaseUrl, credentials, itemId.ToLowerInvariant(),
                    new() { ["features"] = new System.Text.Json.Nodes.JsonObject { ["displayNormalCartButton"] = !request.Hide } }, context.CancellationToken, merchantChose: true);
                if ((int)answer.Status >= 500 || answer.Status == System.Net.HttpStatusCode.TooManyRequests)
                {
                    throw new HttpRequestException($"RMS items.patch answered HTTP {(int)answer.Status}; the request will be retried.", null, answer.Status);
                }

                error = answer.Ok ? null : answer.Error ?? new ChannelError($"HTTP_{(int)answer.Status}", $"RMS items.patch answered HTTP {(int)answer.Status}.");
            }

            outcomes.Add(new OrderButtonChanged(request.TenantId, request.ConnectionId, itemId, error is null ? request.Hide : !request.Hide, error, clock.GetUtcNow()));
        }

        await db.ExecuteOnceAsync(context, nameof(OrderButtonRequestedConsumer), ct =>
        {
            foreach (var outcome in outcomes)
            {
                db.AddToOutbox(outcome);
            }

            return Task.CompletedTask;
        }, logger);
    }
}
