using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.TestService;

/// <summary>A test-only integration event: one probe committed by the producing process.</summary>
[MessageUrn("rakuten-platform:test:probe-happened:v1")]
[EntityName("rakuten-platform.test.probe-happened.v1")]
public sealed record ProbeHappened(Guid TenantId, Guid ProbeId, int Sequence, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>A test-only batched integration event: the probes one unit of work staged for one group.</summary>
[MessageUrn("rakuten-platform:test:probes-happened:v1")]
[EntityName("rakuten-platform.test.probes-happened.v1")]
public sealed record ProbesHappened(Guid TenantId, string Group, IReadOnlyList<int> Sequences, DateTimeOffset OccurredAt) : IIntegrationEvent;

[StoredEvent("probe-recorded.v1")]
public sealed record ProbeRecorded(Guid ProbeId, int Sequence);

/// <summary>The probe streams' aggregate, for the event store's contract tests: how many events, the sum of their
/// sequences, and the last one — folded by a pure Apply on both stores.</summary>
public sealed record ProbeTally(string Id, int Count, int Sum, int? Last);

/// <summary>The pure functions of <see cref="ProbeTally"/>, beside it rather than on it: Marten reads Apply methods on
/// a state type as its own conventions.</summary>
public static class ProbeTallies
{
    public static ProbeTally Start(string id) => new(id, 0, 0, null);

    public static ProbeTally Apply(ProbeTally state, object e) =>
        e is ProbeRecorded r ? state with { Count = state.Count + 1, Sum = state.Sum + r.Sequence, Last = r.Sequence } : state;

    public static void Register(EventStreamsBuilder streams) => streams.Aggregate<ProbeTally>(Start, Apply);
}

/// <summary>The consuming process's effect of one probe: written with its inbox mark, so at most once.</summary>
public sealed class ProbeEffect
{
    public required Guid MessageId { get; set; }

    public required Guid ProbeId { get; set; }

    public string? TraceId { get; set; }

    public required DateTimeOffset ReceivedAt { get; set; }
}

public sealed class ProbeDbContext(DbContextOptions<ProbeDbContext> options) : PlatformDbContext(options)
{
    public DbSet<ProbeEffect> Effects => Set<ProbeEffect>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ProbeEffect>(e =>
        {
            e.ToTable("probe_effects");
            e.HasKey(x => x.MessageId);
        });
    }
}

public sealed class ProbeHappenedConsumer(ProbeDbContext db, ILogger<ProbeHappenedConsumer> logger) : IConsumer<ProbeHappened>
{
    public Task Consume(ConsumeContext<ProbeHappened> context) =>
        db.ExecuteOnceAsync(context, nameof(ProbeHappenedConsumer), _ =>
        {
            if (context.Message.Sequence < 0)
            {
                // Each attempt is counted by the retry test on this line of stdout.
                Console.WriteLine($"POISON ATTEMPT {context.Message.ProbeId}");
                throw new InvalidOperationException($"probe {context.Message.ProbeId} is poison: it fails every time");
            }

            db.Effects.Add(new ProbeEffect
            {
                MessageId = context.MessageId!.Value,
                ProbeId = context.Message.ProbeId,
                TraceId = Activity.Current?.TraceId.ToString(),
                ReceivedAt = DateTimeOffset.UtcNow,
            });
            return Task.CompletedTask;
        }, logger);
}

public sealed record CommitRequest(int Count = 1, bool Rollback = false, Guid? ProbeId = null, bool Poison = false);

public sealed record CommitResult(IReadOnlyList<Guid> ProbeIds, IReadOnlyList<Guid> MessageIds);

public static class ProbeService
{
    public static WebApplicationBuilder AddProbeService(this WebApplicationBuilder builder)
    {
        var name = builder.Configuration["Probe:Name"] ?? "probe";
        builder.AddServiceDatabase<ProbeDbContext>(name);
        builder.AddEventStreams<ProbeDbContext>(ProbeTallies.Register);
        builder.AddMessageContracts(typeof(ProbeHappened).Assembly);
        if (builder.Configuration.GetValue("Probe:Consume", true))
        {
            builder.AddPlatformConsumer<ProbeHappenedConsumer>(name);
        }

        return builder;
    }

    public static WebApplication MapProbeService(this WebApplication app)
    {
        app.MapOutboxStatus<ProbeDbContext>("/probe");

        // Test-only endpoints of a test-only service: open, so the crash tests need no identity to drive it.
        var probe = app.MapGroup("/probe").AllowAnonymous();

        // Each probe: an event appended to its own stream and its integration event, in one transaction.
        probe.MapPost("/commit", async (CommitRequest request, EventStore<ProbeDbContext> store, CancellationToken ct) =>
        {
            var probes = new List<Guid>();
            var messages = new List<Guid>();
            for (var i = 0; i < request.Count; i++)
            {
                var probeId = request.Count == 1 && request.ProbeId is { } given ? given : Guid.NewGuid();
                var db = store.Db;
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await store.AppendAsync($"probe-{probeId}", 0, [new ProbeRecorded(probeId, i)], ct: ct);
                var row = db.AddToOutbox(new ProbeHappened(Guid.Empty, probeId, request.Poison ? -1 : i, DateTimeOffset.UtcNow));
                await db.SaveChangesAsync(ct);
                if (request.Rollback)
                {
                    await tx.RollbackAsync(ct);
                }
                else
                {
                    await tx.CommitAsync(ct);
                    Console.WriteLine($"COMMITTED {probeId} {row.MessageId}");
                }

                db.ChangeTracker.Clear();
                probes.Add(probeId);
                messages.Add(row.MessageId);
            }

            return Results.Ok(new CommitResult(probes, messages));
        });

        probe.MapGet("/effects", async (ProbeDbContext db, CancellationToken ct) =>
            Results.Ok(await db.Effects.AsNoTracking().ToListAsync(ct)));
        return app;
    }
}
