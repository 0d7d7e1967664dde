using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.Onboarding;

/// <summary>The inventory of what a shop already sells (issue 21): every RMS item walked with items.search's cursor, a
/// hundred a call at the Items API's rate, each page handed to the catalog (<see cref="ChannelItemsFound"/>) in the same
/// transaction as the job's checkpoint (the cursor to send next), so a restart goes on from the page after the last one
/// handed on. Queued when the connection is added (the catalog publishes nothing to a new RMS shop before it has the
/// inventory: a product whose SKU the shop already sells must not become a second item), and on request.</summary>
public sealed class ItemInventoryJob(IServiceScopeFactory scopes, RmsItemClient items, TimeProvider clock) : IJobHandler<RakutenJpDbContext>
{
    public const string Kind = "items.inventory";

    string IJobHandler<RakutenJpDbContext>.Kind => Kind;

    public async Task<string> RunAsync(JobRun run, CancellationToken ct)
    {
        await ConnectionJobs.RequireUsableAsync<RakutenJpDbContext>(scopes, run, "take the inventory", ct);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == run.TargetId, ct);
        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RmsCredentials>(connection.ProtectedCredentials);
        var position = InventoryPosition.Parse(run.Checkpoint) ?? new InventoryPosition(run.Id, 0, "*", 0);
        while (true)
        {
            var answer = await items.SearchAsync(connection.Id, connection.BaseUrl, credentials, position.Cursor, ct);
            if (!answer.Ok)
            {
                if (answer.Error is { } refused && (int)answer.Status is >= 400 and < 500 and not 401 and not 403 and not 429)
                {
                    throw new JobRefusedException($"RMS refused items.search: {refused.Code} {refused.Message}.");
                }

                throw new HttpRequestException($"RMS items.search answered HTTP {(int)answer.Status}; the inventory is retried from page {position.Page + 1}.", null, answer.Status);
            }

            var body = answer.Body ?? [];
            var next = body["nextCursorMark"]?.GetValue<string>() ?? position.Cursor;
            var found = (body["results"] as JsonArray ?? []).OfType<JsonObject>().Select(RmsExistingItems.FromSearch).OfType<ExistingChannelItem>().ToList();
            var total = body["numFound"]?.GetValue<int>();
            var read = (body["results"] as JsonArray)?.Count ?? 0;
            // The cursor stops moving after the last page; counting up to numFound saves that one empty call (a second at 1/s).
            var last = next == position.Cursor || read == 0 || (total is { } all && run.Done + read >= all);
            db.AddToOutbox(new ChannelItemsFound(connection.TenantId, connection.Id, Contracts.Channel.RakutenJp, position.InventoryId, position.Page, last,
                total, found, clock.GetUtcNow()));
            var reported = position.Reported + found.Count;
            position = new InventoryPosition(position.InventoryId, position.Page + 1, next, reported);
            // done counts the items read (the platform's own v_ items and deleted ones too), of numFound.
            run.Stage(db, done: read, total: total, checkpoint: position.ToString());
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            if (last)
            {
                return $"{run.Done} item(s) read from RMS in {position.Page} page(s); {reported} of them the merchant's own, handed to the catalog: " +
                    $"the onboarding report is at GET /catalog/onboarding/{connection.Id}.";
            }
        }
    }

    /// <summary>The checkpoint: which inventory, the next page's number and cursor, the merchant's items handed on so far.</summary>
    private sealed record InventoryPosition(Guid InventoryId, int Page, string Cursor, int Reported)
    {
        public override string ToString() => $"{InventoryId:N}|{Page}|{Reported}|{Cursor}";

        public static InventoryPosition? Parse(string? text)
        {
            if (text?.Split('|', 4) is not [var id, var page, var reported, var cursor])
            {
                return null;
            }

            return new InventoryPosition(Guid.Parse(id), int.Parse(page, System.Globalization.CultureInfo.InvariantCulture),
                cursor, int.Parse(reported, System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
