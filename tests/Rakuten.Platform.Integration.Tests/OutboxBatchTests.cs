using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService;

namespace Rakuten.Platform.Integration.Tests;

public sealed class OutboxBatchTests
{
    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task Items_staged_for_a_batch_become_one_message_per_key_in_order_split_at_the_limit_and_only_once_saved_never_after_a_discard(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var over = OutboxExtensions.MaxBatchItems + 50;
        await using (var scope = database.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            for (var i = 0; i < over; i++)
            {
                db.AddToOutboxBatch("a", i, Probes);
                if (i < 3) db.AddToOutboxBatch("b", 1000 + i, Probes);
            }

            await db.SaveChangesAsync();
        }

        // Staged and never saved (a unit of work that failed): nothing of it reaches the outbox, not even through the
        // next unit of work on the same pooled context.
        await using (var scope = database.Scope())
        {
            scope.ServiceProvider.GetRequiredService<ProbeDbContext>().AddToOutboxBatch("c", 1, Probes);
        }

        await using (var scope = database.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            db.AddToOutbox(new ProbeHappened(Guid.Empty, Guid.NewGuid(), 0, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        // A unit of work that failed and is tried again on the same context (the inbox's one-at-a-time retry): what the
        // failed attempt staged is discarded with its tracked changes.
        await using (var scope = database.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            db.AddToOutboxBatch("d", 1, Probes);
            db.DiscardUnsaved();
            db.AddToOutboxBatch("e", 2, Probes);
            await db.SaveChangesAsync();
        }

        await using var check = database.Scope();
        var rows = await check.ServiceProvider.GetRequiredService<ProbeDbContext>().Outbox.AsNoTracking()
            .Where(m => m.MessageType.Contains("probes-happened")).OrderBy(m => m.Position).ToListAsync();
        var messages = rows.Select(r => JsonSerializer.Deserialize<ProbesHappened>(r.Body, PlatformJson.Options)!).ToList();
        messages.Where(m => m.Group == "a").Select(m => m.Sequences.Count).Should().Equal(OutboxExtensions.MaxBatchItems, 50);
        messages.Where(m => m.Group == "a").SelectMany(m => m.Sequences).Should().Equal(Enumerable.Range(0, over), "the items keep their staging order");
        messages.Where(m => m.Group == "b").Select(m => m.Sequences).Should().ContainSingle().Which.Should().Equal(1000, 1001, 1002);
        messages.Should().NotContain(m => m.Group == "c" || m.Group == "d");
        messages.Where(m => m.Group == "e").Select(m => m.Sequences).Should().ContainSingle().Which.Should().Equal(2);
    }

    private static ProbesHappened Probes(string group, IReadOnlyList<int> sequences) => new(Guid.Empty, group, sequences, DateTimeOffset.UtcNow);
}
