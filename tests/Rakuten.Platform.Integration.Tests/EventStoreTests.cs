using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService;

namespace Rakuten.Platform.Integration.Tests;

public sealed class EventStoreTests
{
    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task Two_concurrent_appends_at_the_same_version_one_wins_the_other_writes_nothing(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);

        // Repeated, because a race that happens to serialise proves little once.
        for (var round = 0; round < 10; round++)
        {
            var stream = $"order-{Guid.NewGuid()}";
            await using (var seed = database.Scope())
            {
                var store = seed.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
                await store.AppendAsync(stream, 0, [new ProbeRecorded(Guid.NewGuid(), 0)]);
                await store.Db.SaveChangesAsync();
            }

            await using var a = database.Scope();
            await using var b = database.Scope();
            var probes = new[] { Guid.NewGuid(), Guid.NewGuid() };
            var staged = await Task.WhenAll(new[] { a, b }.Select(async (scope, i) =>
            {
                var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
                // Both read version 1 before either commits: the database's unique key must decide.
                await store.AppendAsync(stream, 1, [new ProbeRecorded(probes[i], i)]);
                store.Db.AddToOutbox(new ProbeHappened(Guid.Empty, probes[i], i, DateTimeOffset.UtcNow));
                return store;
            }));
            var outcome = await Task.WhenAll(staged.Select(s => Task.Run(async () =>
            {
                try
                {
                    await s.Db.SaveChangesAsync();
                    return (Exception?)null;
                }
                catch (Exception ex)
                {
                    return ex;
                }
            })));

            outcome.Count(e => e is null).Should().Be(1, "exactly one writer wins");
            var loser = outcome.Single(e => e is not null);
            loser.Should().BeOfType<StreamConcurrencyException>().Which.StreamId.Should().Be(stream);
            loser!.Message.Should().Contain("Nothing was written");

            await using var check = database.Scope();
            var reader = check.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            var events = await reader.LoadAsync(stream);
            events.Select(e => e.Version).Should().Equal(1, 2);
            var winner = ((ProbeRecorded)events[1].Data).ProbeId;
            var loserProbe = probes.Single(p => p != winner);
            var bodies = await reader.Db.Outbox.AsNoTracking().Select(m => m.Body).ToListAsync();
            bodies.Count(body => body.Contains(winner.ToString())).Should().Be(1, "the winner's integration event committed with its event");
            bodies.Should().NotContain(body => body.Contains(loserProbe.ToString()), "the loser's outbox row rolled back with its event");
        }
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task Appending_at_a_stale_version_is_refused_before_anything_is_staged(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        await using var scope = database.Scope();
        var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
        await store.AppendAsync("s-1", 0, [new ProbeRecorded(Guid.NewGuid(), 1), new ProbeRecorded(Guid.NewGuid(), 2)]);
        await store.Db.SaveChangesAsync();

        var act = () => store.AppendAsync("s-1", 1, [new ProbeRecorded(Guid.NewGuid(), 3)]);

        (await act.Should().ThrowAsync<StreamConcurrencyException>()).Which.ExpectedVersion.Should().Be(1);
        store.Db.ChangeTracker.Entries<EventRecord>().Should().NotContain(e => e.State == EntityState.Added);
        (await store.LoadAsync("s-1")).Should().HaveCount(2);
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task A_stream_loads_back_in_order_with_its_metadata_and_folds_into_state(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        await using var scope = database.Scope();
        var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
        var tenant = Guid.NewGuid();
        await store.AppendAsync("s-2", 0, [new ProbeRecorded(Guid.NewGuid(), 1)], new EventMetadata(TenantId: tenant));
        await store.Db.SaveChangesAsync();
        await store.AppendAsync("s-2", 1, [new ProbeRecorded(Guid.NewGuid(), 2), new ProbeRecorded(Guid.NewGuid(), 3)]);
        await store.Db.SaveChangesAsync();

        var events = await store.LoadAsync("s-2");
        var (sum, version) = await store.AggregateAsync("s-2", 0, (total, e) => total + ((ProbeRecorded)e).Sequence);

        events.Select(e => ((ProbeRecorded)e.Data).Sequence).Should().Equal(1, 2, 3);
        events[0].Metadata.TenantId.Should().Be(tenant);
        sum.Should().Be(6);
        version.Should().Be(3);
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task Versions_read_for_many_streams_at_once_and_an_append_after_a_stale_one_writes_nothing(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var (two, none) = ($"order-{Guid.NewGuid()}", $"order-{Guid.NewGuid()}");
        await using (var seed = database.Scope())
        {
            var store = seed.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            store.StartStream(two, [new ProbeRecorded(Guid.NewGuid(), 0), new ProbeRecorded(Guid.NewGuid(), 1)]);
            await store.Db.SaveChangesAsync();
        }

        await using var reader = database.Scope();
        var stale = reader.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
        var versions = await stale.CurrentVersionsAsync([two, none]);
        versions.Should().BeEquivalentTo(new Dictionary<string, long> { [two] = 2, [none] = 0 });

        await using (var writer = database.Scope())
        {
            var store = writer.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            store.AppendAfter(two, 2, [new ProbeRecorded(Guid.NewGuid(), 2)]); // another writer moves the stream on
            await store.Db.SaveChangesAsync();
        }

        stale.AppendAfter(two, versions[two], [new ProbeRecorded(Guid.NewGuid(), 9)]);
        await FluentActions.Awaiting(() => stale.Db.SaveChangesAsync()).Should().ThrowAsync<StreamConcurrencyException>();
        await using var check = database.Scope();
        (await check.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>().CurrentVersionAsync(two)).Should().Be(3);
    }
}
