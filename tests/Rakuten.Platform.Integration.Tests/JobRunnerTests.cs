using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.Integration.Tests.Security;
using Rakuten.Platform.TestService;
using Xunit;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Long operations survive what a replica lives through (issue 19): a stop hands the job back and the next start
/// resumes it from its checkpoint; a replica that dies mid-job loses it to another once its lease has passed, and its late
/// write is refused; a failed attempt is retried — and each item's work is committed exactly once throughout.</summary>
public sealed class JobRunnerTests
{
    private const int Items = 10;

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task A_stopped_runner_hands_its_job_back_and_the_next_resumes_it_after_the_last_item_committed(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var job = await StartJobAsync(database);
        var second = await StartJobAsync(database);
        second.Id.Should().Be(job.Id, "a second request while the job is queued answers that job");

        var atFour = new TaskCompletionSource();
        var first = Runner(database, new CountingJob(database.Services, before: item => { if (item == 5) atFour.TrySetResult(); return Task.Delay(item >= 5 ? 60_000 : 0); }));
        await first.StartAsync(CancellationToken.None);
        await atFour.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await first.StopAsync(CancellationToken.None); // the process stops mid-job

        var handedBack = await JobAsync(database, job.Id);
        (handedBack.State, handedBack.Done, handedBack.Checkpoint, handedBack.LeaseOwner).Should().Be((JobStates.Running, 4, "4", null));

        var next = Runner(database, new CountingJob(database.Services));
        await next.StartAsync(CancellationToken.None);
        var finished = await FinishedAsync(database, job.Id);
        await next.StopAsync(CancellationToken.None);

        (finished.State, finished.Done, finished.Total, finished.Attempts).Should().Be((JobStates.Succeeded, Items, Items, 1), "a hand-back is not a failed attempt");
        finished.Report.Should().Be("10 item(s) done, 6 in this run");
        (await EffectsAsync(database)).Should().Equal(Enumerable.Range(1, Items), "each item's work is committed once");
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task A_dead_runner_loses_its_job_once_the_lease_passes_and_its_late_write_is_refused(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var job = await StartJobAsync(database);

        // The first runner hangs before item 5 and renews nothing (its lease is an hour): as good as dead.
        var reachedFive = new TaskCompletionSource();
        var wakeTheDead = new TaskCompletionSource();
        var dead = Runner(database, new CountingJob(database.Services, before: async item =>
        {
            if (item == 5)
            {
                reachedFive.TrySetResult();
                await wakeTheDead.Task;
            }
        }));
        await dead.StartAsync(CancellationToken.None);
        await reachedFive.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using (var scope = database.Scope())
        {
            var past = DateTimeOffset.UtcNow.AddMinutes(-1);
            await scope.ServiceProvider.GetRequiredService<ProbeDbContext>().Jobs.Where(j => j.Id == job.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, past)); // the hour has passed
        }

        // Another replica takes it over; its first attempt fails at item 7 and is retried.
        var failedOnce = false;
        var other = Runner(database, new CountingJob(database.Services, before: item =>
        {
            if (item == 7 && !failedOnce)
            {
                failedOnce = true;
                throw new HttpRequestException("The marketplace answered 503", null, System.Net.HttpStatusCode.ServiceUnavailable);
            }

            return Task.CompletedTask;
        }));
        await other.StartAsync(CancellationToken.None);
        var finished = await FinishedAsync(database, job.Id);

        // The dead one wakes up and writes item 5 again: refused, nothing committed.
        wakeTheDead.SetResult();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await other.StopAsync(CancellationToken.None);
        await dead.StopAsync(CancellationToken.None);

        failedOnce.Should().BeTrue();
        (finished.State, finished.Done, finished.Attempts).Should().Be((JobStates.Succeeded, Items, 3));
        (await JobAsync(database, job.Id)).Version.Should().Be(finished.Version, "the late runner wrote nothing");
        (await EffectsAsync(database)).Should().Equal(Enumerable.Range(1, Items), "each item's work is committed once");
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    public async Task A_refused_job_fails_at_once_with_its_reason_and_a_job_failing_every_attempt_says_so(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var refused = await StartJobAsync(database);
        var runner = Runner(database, new CountingJob(database.Services, before: _ => throw new JobRefusedException("The connection was removed.")));
        await runner.StartAsync(CancellationToken.None);
        var failed = await FinishedAsync(database, refused.Id);
        await runner.StopAsync(CancellationToken.None);
        (failed.State, failed.Error, failed.Attempts).Should().Be((JobStates.Failed, "The connection was removed.", 1));

        var hopeless = await StartJobAsync(database, target: "probe/hopeless");
        runner = Runner(database, new CountingJob(database.Services, before: _ => throw new HttpRequestException("down", null, System.Net.HttpStatusCode.BadGateway)));
        await runner.StartAsync(CancellationToken.None);
        failed = await FinishedAsync(database, hopeless.Id);
        await runner.StopAsync(CancellationToken.None);
        failed.State.Should().Be(JobStates.Failed);
        failed.Error.Should().Be("The marketplace answered HTTP 502. (after 3 attempts)");
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    public async Task One_tenant_s_jobs_run_one_after_another_while_another_tenant_s_job_runs_alongside(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        var first = await StartJobAsync(database, target: "probe/first");
        var second = await StartJobAsync(database, target: "probe/second");
        var other = await StartJobAsync(database, target: "probe/other", tenant: Guid.NewGuid());

        // The first job holds on before item 1 until let go; two runners are free.
        var holding = new TaskCompletionSource();
        var letGo = new TaskCompletionSource();
        var runner = Runner(database, new CountingJob(database.Services, beforeIn: async (target, item) =>
        {
            if (target == "probe/first" && item == 1)
            {
                holding.TrySetResult();
                await letGo.Task;
            }
        }), concurrency: 2);
        await runner.StartAsync(CancellationToken.None);
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var alongside = await FinishedAsync(database, other.Id);
        var waiting = await JobAsync(database, second.Id);
        letGo.SetResult();
        var firstDone = await FinishedAsync(database, first.Id);
        var secondDone = await FinishedAsync(database, second.Id);
        await runner.StopAsync(CancellationToken.None);

        alongside.State.Should().Be(JobStates.Succeeded, "another tenant's job is not kept waiting");
        waiting.State.Should().Be(JobStates.Queued, "the same tenant's second job waits for its first");
        (firstDone.State, secondDone.State).Should().Be((JobStates.Succeeded, JobStates.Succeeded));
        secondDone.StartedAt.Should().BeOnOrAfter(firstDone.FinishedAt!.Value);
    }

    private static readonly Guid Tenant = Guid.NewGuid();

    private static async Task<JobRecord> StartJobAsync(TestDatabase database, string target = "probe/all", Guid? tenant = null)
    {
        await using var scope = database.Scope();
        var who = tenant ?? Tenant;
        var caller = new Caller { Actor = "user:test", HomeTenant = who, Roles = new HashSet<string> { "operator" }, Tenant = who, Key = "test" };
        return await Jobs.StartAsync(scope.ServiceProvider.GetRequiredService<ProbeDbContext>(), caller, CountingJob.Kind, target, TimeProvider.System,
            new JobSignal<ProbeDbContext>(), CancellationToken.None);
    }

    private static JobRunner<ProbeDbContext> Runner(TestDatabase database, CountingJob handler, int concurrency = 1)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Jobs:Lease"] = "01:00:00", ["Platform:Jobs:PollInterval"] = "00:00:00.100", ["Platform:Jobs:Concurrency"] = $"{concurrency}",
            ["Platform:Jobs:RetryAfter"] = "00:00:00", ["Platform:Jobs:MaxAttempts"] = "3",
        }).Build();
        return new JobRunner<ProbeDbContext>(database.Services.GetRequiredService<IServiceScopeFactory>(), [handler], new JobSignal<ProbeDbContext>(),
            TimeProvider.System, settings, NullLogger<JobRunner<ProbeDbContext>>.Instance);
    }

    private static async Task<JobRecord> JobAsync(TestDatabase database, Guid id)
    {
        await using var scope = database.Scope();
        return await scope.ServiceProvider.GetRequiredService<ProbeDbContext>().Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    private static async Task<JobRecord> FinishedAsync(TestDatabase database, Guid id)
    {
        JobRecord job = null!;
        await Marketplace.WaitAsync(async () => (job = await JobAsync(database, id)).State is JobStates.Succeeded or JobStates.Failed, "the job to finish", 30);
        return job;
    }

    /// <summary>The item numbers whose work is committed, in order, once per commit.</summary>
    private static async Task<List<int>> EffectsAsync(TestDatabase database)
    {
        await using var scope = database.Scope();
        var effects = await scope.ServiceProvider.GetRequiredService<ProbeDbContext>().Effects.AsNoTracking().Select(e => e.ProbeId).ToListAsync();
        return effects.Select(CountingJob.ItemOf).Order().ToList();
    }

    /// <summary>Does items 1 to 10, each in its own transaction with the job's progress and checkpoint (the item's number).</summary>
    private sealed class CountingJob(IServiceProvider services, Func<int, Task>? before = null, Func<string, int, Task>? beforeIn = null)
        : IJobHandler<ProbeDbContext>
    {
        public const string Kind = "probe.count";

        string IJobHandler<ProbeDbContext>.Kind => Kind;

        public static Guid ProbeOf(int item) => new(item, 0, 0, new byte[8]);

        public static int ItemOf(Guid probe) => BitConverter.ToInt32(probe.ToByteArray(), 0);

        public async Task<string> RunAsync(JobRun run, CancellationToken ct)
        {
            var start = run.Checkpoint is { } checkpoint ? int.Parse(checkpoint) + 1 : 1;
            for (var item = start; item <= Items; item++)
            {
                await (before?.Invoke(item) ?? Task.CompletedTask).WaitAsync(ct);
                await (beforeIn?.Invoke(run.Target, item) ?? Task.CompletedTask).WaitAsync(ct);
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
                db.Effects.Add(new ProbeEffect { MessageId = Guid.NewGuid(), ProbeId = ProbeOf(item), ReceivedAt = DateTimeOffset.UtcNow });
                run.Stage(db, done: 1, total: Items, checkpoint: item.ToString());
                await db.SaveChangesAsync(ct);
            }

            return $"{run.Done} item(s) done, {Items - start + 1} in this run";
        }
    }
}
