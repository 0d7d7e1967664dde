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

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task An_aggregate_is_rebuilt_by_its_pure_apply_and_a_rolled_back_append_leaves_it_as_it_was(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var stream = $"probe-{Guid.NewGuid()}";
        await using (var scope = database.Scope())
        {
            var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            store.StartStream(stream, [new ProbeRecorded(Guid.NewGuid(), 1), new ProbeRecorded(Guid.NewGuid(), 2)]);
            await store.Db.SaveChangesAsync();
            store.AppendAfter(stream, 2, [new ProbeRecorded(Guid.NewGuid(), 4)]);
            await store.Db.SaveChangesAsync();
        }

        await using (var scope = database.Scope())
        {
            var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            await using var tx = await store.Db.Database.BeginTransactionAsync();
            store.AppendAfter(stream, 3, [new ProbeRecorded(Guid.NewGuid(), 100)]);
            await store.Db.SaveChangesAsync();
            (await store.StateAsync<ProbeTally>(stream)).State!.Sum.Should().Be(107, "inside its transaction the append is seen");
            await tx.RollbackAsync();
        }

        await using var check = database.Scope();
        var reader = check.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
        var (state, version) = await reader.StateAsync<ProbeTally>(stream);
        state.Should().Be(new ProbeTally(stream, 3, 7, 4));
        version.Should().Be(3);
        (await reader.StateAsync<ProbeTally>($"probe-{Guid.NewGuid()}")).Should().Be(((ProbeTally?)null, 0L));
        if (check.ServiceProvider.GetRequiredService<EventStreams<ProbeDbContext>>().Streams is MartenEventStreams marten)
        {
            // Marten keeps the state as an inline snapshot, written with the events: loading it reads no event.
            await using var session = marten.Store.QuerySession();
            (await session.LoadAsync<ProbeTally>(stream)).Should().Be(new ProbeTally(stream, 3, 7, 4));
        }
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task Every_event_carries_who_caused_it_the_message_or_request_and_its_trace(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var stream = $"probe-{Guid.NewGuid()}";
        using var source = new System.Diagnostics.ActivitySource("event-store-test");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == "event-store-test",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var tenant = Guid.NewGuid();
        string traceParent;
        await using (var scope = database.Scope())
        {
            using var activity = source.StartActivity("append")!;
            traceParent = activity.Id!;
            var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            store.Db.Actor = "user:alice";
            store.Db.Cause = "request-42";
            store.StartStream(stream, [new ProbeRecorded(Guid.NewGuid(), 1)], new EventMetadata(TenantId: tenant));
            await store.Db.SaveChangesAsync();
        }

        await using var check = database.Scope();
        var e = (await check.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>().LoadAsync(stream)).Single();
        e.Metadata.Should().Be(new EventMetadata(tenant, traceParent.Split('-')[1], "request-42", traceParent, "user:alice"));
        e.Type.Should().Be("probe-recorded.v1");
        e.RecordedAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task Every_event_of_every_stream_reads_back_in_the_order_it_was_committed(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var (a, b) = ($"probe-{Guid.NewGuid()}", $"probe-{Guid.NewGuid()}");
        foreach (var (stream, version, sequence) in new[] { (a, 0L, 1), (b, 0L, 2), (a, 1L, 3) })
        {
            await using var scope = database.Scope();
            var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            store.AppendAfter(stream, version, [new ProbeRecorded(Guid.NewGuid(), sequence)]);
            await store.Db.SaveChangesAsync();
        }

        await using var check = database.Scope();
        var streams = check.ServiceProvider.GetRequiredService<EventStreams<ProbeDbContext>>().Streams;
        var db = check.ServiceProvider.GetRequiredService<ProbeDbContext>();
        var all = await streams.ReadAllAsync(db, 0, 10, CancellationToken.None);
        all.Select(e => ((ProbeRecorded)e.Data).Sequence).Should().Equal(1, 2, 3);
        all.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (await streams.ReadAllAsync(db, all[0].Position, 1, CancellationToken.None)).Single().StreamId.Should().Be(b);
    }

    [Fact]
    public async Task A_database_written_before_Marten_is_upgraded_once_every_event_kept_in_order_with_its_metadata_and_time()
    {
        await using var database = await TestDatabase.CreateAsync(SqlDialect.Postgres);
        var (a, b) = ($"order-{Guid.NewGuid()}", $"order-{Guid.NewGuid()}");
        var recorded = new DateTimeOffset(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);
        await using (var scope = database.Scope())
        {
            // The rows exactly as the table store wrote them on PostgreSQL before this version.
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            var meta = """{"tenantId":"6f1c3f0e-0000-4000-8000-000000000001","correlationId":null,"causationId":null,"traceParent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}""";
            foreach (var (stream, version, sequence) in new[] { (a, 1L, 1), (b, 1L, 2), (a, 2L, 3) })
            {
                db.Events.Add(new EventRecord
                {
                    StreamId = stream, StreamVersion = version, EventType = "probe-recorded.v1", Metadata = meta, RecordedAt = recorded.AddMinutes(sequence),
                    Data = $$"""{"probeId":"{{Guid.NewGuid()}}","sequence":{{sequence}}}""",
                });
            }

            await db.SaveChangesAsync();
        }

        var upgrade = ActivatorUtilities.CreateInstance<EventStoreInitializer<ProbeDbContext>>(database.Services);
        (await upgrade.UpgradeAsync(CancellationToken.None)).Should().Be(3);
        (await upgrade.UpgradeAsync(CancellationToken.None)).Should().Be(0, "an upgrade done is never done twice");

        await using var check = database.Scope();
        var store = check.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
        var first = await store.LoadAsync(a);
        first.Select(e => (e.Version, ((ProbeRecorded)e.Data).Sequence)).Should().Equal((1, 1), (2, 3));
        first[1].RecordedAt.Should().Be(recorded.AddMinutes(3));
        first[0].Metadata.TenantId.Should().Be(Guid.Parse("6f1c3f0e-0000-4000-8000-000000000001"));
        first[0].Metadata.TraceParent.Should().Be("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        (await store.StateAsync<ProbeTally>(a)).Should().Be((new ProbeTally(a, 2, 4, 3), 2L), "the snapshot is built by the copy");
        (await store.CurrentVersionAsync(b)).Should().Be(1);
        (await check.ServiceProvider.GetRequiredService<ProbeDbContext>().Events.CountAsync()).Should().Be(0, "the copied rows left the table in the copy's transaction");
        store.AppendAfter(a, 2, [new ProbeRecorded(Guid.NewGuid(), 5)]);
        await store.Db.SaveChangesAsync();
        (await store.CurrentVersionAsync(a)).Should().Be(3, "the upgraded stream goes on where it was");
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task Two_appends_staged_from_the_same_version_in_one_unit_of_work_are_refused_whole(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var stream = $"probe-{Guid.NewGuid()}";
        await using (var scope = database.Scope())
        {
            var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            store.StartStream(stream, [new ProbeRecorded(Guid.NewGuid(), 1)]);
            await store.Db.SaveChangesAsync();
            store.AppendAfter(stream, 1, [new ProbeRecorded(Guid.NewGuid(), 2)]);
            store.AppendAfter(stream, 1, [new ProbeRecorded(Guid.NewGuid(), 3)]); // decided on the same state, unaware of the first
            await FluentActions.Awaiting(() => store.Db.SaveChangesAsync()).Should().ThrowAsync<StreamConcurrencyException>();
        }

        await using var check = database.Scope();
        (await check.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>().LoadAsync(stream)).Should().ContainSingle("neither append was written");
    }

    [Fact]
    public async Task The_upgrade_stops_and_keeps_the_table_when_a_stream_was_written_by_both_versions()
    {
        await using var database = await TestDatabase.CreateAsync(SqlDialect.Postgres);
        var stream = $"order-{Guid.NewGuid()}";
        await using (var scope = database.Scope())
        {
            var store = scope.ServiceProvider.GetRequiredService<EventStore<ProbeDbContext>>();
            store.StartStream(stream, [new ProbeRecorded(Guid.NewGuid(), 1)]); // this version, in Marten
            await store.Db.SaveChangesAsync();
            store.Db.Events.Add(new EventRecord // an instance of the previous version, in the table, at the same version
            {
                StreamId = stream, StreamVersion = 1, EventType = "probe-recorded.v1", Data = $$"""{"probeId":"{{Guid.NewGuid()}}","sequence":9}""",
                Metadata = "{}", RecordedAt = DateTimeOffset.UtcNow,
            });
            await store.Db.SaveChangesAsync();
        }

        var upgrade = ActivatorUtilities.CreateInstance<EventStoreInitializer<ProbeDbContext>>(database.Services);
        (await FluentActions.Awaiting(() => upgrade.UpgradeAsync(CancellationToken.None)).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain(stream).And.Contain("Stop every instance of the previous version");
        await using var check = database.Scope();
        (await check.ServiceProvider.GetRequiredService<ProbeDbContext>().Events.CountAsync()).Should().Be(1, "nothing is deleted that was not copied");
    }
}
