using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService;

namespace Rakuten.Platform.Integration.Tests;

public sealed class InboxTests
{
    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task The_same_message_delivered_twice_at_once_has_one_effect(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var messageId = Guid.NewGuid();
        var probe = Guid.NewGuid();

        async Task<bool> Deliver()
        {
            await using var scope = database.Scope();
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            return await db.ExecuteOnceAsync(messageId, "probe-consumer", async _ =>
            {
                db.Effects.Add(new ProbeEffect { MessageId = Guid.NewGuid(), ProbeId = probe, ReceivedAt = DateTimeOffset.UtcNow });
                await Task.Delay(50); // both deliveries are inside their effect at the same time
            }, null, CancellationToken.None);
        }

        var results = await Task.WhenAll(Task.Run(Deliver), Task.Run(Deliver));
        var again = await Deliver();

        results.Count(r => r).Should().Be(1);
        again.Should().BeFalse();
        await using var check = database.Scope();
        var effects = await check.ServiceProvider.GetRequiredService<ProbeDbContext>().Effects.CountAsync(e => e.ProbeId == probe);
        effects.Should().Be(1);
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task A_failing_effect_leaves_no_mark_so_the_redelivery_applies_it(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var messageId = Guid.NewGuid();
        var probe = Guid.NewGuid();
        var attempts = 0;

        async Task<bool> Deliver()
        {
            await using var scope = database.Scope();
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            return await db.ExecuteOnceAsync(messageId, "probe-consumer", _ =>
            {
                db.Effects.Add(new ProbeEffect { MessageId = Guid.NewGuid(), ProbeId = probe, ReceivedAt = DateTimeOffset.UtcNow });
                return ++attempts == 1 ? throw new TimeoutException("downstream timed out") : Task.CompletedTask;
            }, null, CancellationToken.None);
        }

        await FluentActions.Awaiting(Deliver).Should().ThrowAsync<TimeoutException>();
        (await Deliver()).Should().BeTrue();

        await using var check = database.Scope();
        var db = check.ServiceProvider.GetRequiredService<ProbeDbContext>();
        (await db.Effects.CountAsync(e => e.ProbeId == probe)).Should().Be(1);
        (await db.Inbox.CountAsync(i => i.MessageId == messageId)).Should().Be(1);
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task A_batch_applies_each_message_once_leaving_out_those_already_applied(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var probe = Guid.NewGuid();
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        async Task<IReadOnlyList<string>> Deliver(params (Guid, string)[] batch)
        {
            await using var scope = database.Scope();
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            return await db.ExecuteOnceAsync(batch, "probe-batch-consumer", (messages, _) =>
            {
                db.Effects.AddRange(messages.Select(_ => new ProbeEffect { MessageId = Guid.NewGuid(), ProbeId = probe, ReceivedAt = DateTimeOffset.UtcNow }));
                return Task.CompletedTask;
            }, null, CancellationToken.None);
        }

        (await Deliver((a, "a"))).Should().Equal("a");
        // a again, b twice in the same batch (a redelivery collected with the original), c new.
        (await Deliver((a, "a"), (b, "b"), (b, "b"), (c, "c"))).Should().Equal("b", "c");
        (await Deliver((c, "c"), (b, "b"))).Should().BeEmpty();

        await using var check = database.Scope();
        var db = check.ServiceProvider.GetRequiredService<ProbeDbContext>();
        (await db.Effects.CountAsync(e => e.ProbeId == probe)).Should().Be(3);
        (await db.Inbox.CountAsync(i => i.Consumer == "probe-batch-consumer")).Should().Be(3);
    }

    [Fact]
    public async Task A_batch_whose_effect_fails_leaves_no_mark_and_the_retry_applies_all_of_it()
    {
        await using var database = await TestDatabase.CreateAsync(SqlDialect.Postgres);
        var probe = Guid.NewGuid();
        (Guid, string)[] batch = [(Guid.NewGuid(), "x"), (Guid.NewGuid(), "y")];
        var attempts = 0;

        async Task<IReadOnlyList<string>> Deliver()
        {
            await using var scope = database.Scope();
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            return await db.ExecuteOnceAsync(batch, "probe-batch-consumer", (messages, _) =>
            {
                db.Effects.AddRange(messages.Select(_ => new ProbeEffect { MessageId = Guid.NewGuid(), ProbeId = probe, ReceivedAt = DateTimeOffset.UtcNow }));
                return ++attempts == 1 ? throw new TimeoutException("downstream timed out") : Task.CompletedTask;
            }, null, CancellationToken.None);
        }

        await FluentActions.Awaiting(Deliver).Should().ThrowAsync<TimeoutException>();
        (await Deliver()).Should().Equal("x", "y");

        await using var check = database.Scope();
        (await check.ServiceProvider.GetRequiredService<ProbeDbContext>().Effects.CountAsync(e => e.ProbeId == probe)).Should().Be(2);
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task A_batch_with_one_message_that_cannot_be_applied_commits_the_others_and_fails_only_for_that_one(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var probe = Guid.NewGuid();
        (Guid, string)[] batch = [(Guid.NewGuid(), "good"), (Guid.NewGuid(), "bad"), (Guid.NewGuid(), "fine")];
        var broken = true;
        var applied = new List<string>();

        async Task Deliver()
        {
            await using var scope = database.Scope();
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            await db.ExecuteOnceEachAsync(batch, "probe-each-consumer", (messages, _) =>
            {
                db.Effects.AddRange(messages.Select(_ => new ProbeEffect { MessageId = Guid.NewGuid(), ProbeId = probe, ReceivedAt = DateTimeOffset.UtcNow }));
                if (broken && messages.Contains("bad")) throw new FormatException("the bad message cannot be read");
                applied.AddRange(messages);
                return Task.CompletedTask;
            }, NullLogger.Instance, CancellationToken.None);
        }

        await FluentActions.Awaiting(Deliver).Should().ThrowAsync<FormatException>("the one message that fails is reported, so the batch is retried");
        applied.Should().Equal("good", "fine");
        broken = false;
        await Deliver(); // the retry: only the message not yet applied takes effect
        applied.Should().Equal("good", "fine", "bad");

        await using var check = database.Scope();
        var db = check.ServiceProvider.GetRequiredService<ProbeDbContext>();
        (await db.Effects.CountAsync(e => e.ProbeId == probe)).Should().Be(3, "the failed batch transaction left nothing behind");
        (await db.Inbox.CountAsync(i => i.Consumer == "probe-each-consumer")).Should().Be(3);
    }
}
