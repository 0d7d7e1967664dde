using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.RakutenJp.ImportingOrders;

/// <summary>An order a sync found, and what became of it: <see cref="Outcome"/> is the adapter's (found, imported,
/// alreadyThere), <see cref="Decision"/> the platform's once it says (accepted, held; history for an order RMS had already
/// shipped, paid or cancelled).</summary>
public sealed class OrderSyncItem
{
    public required Guid JobId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required string OrderNumber { get; init; }

    public required string Outcome { get; set; }

    public string? Decision { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }
}

/// <summary>What a merchant asks of "sync orders now": the orders whose <see cref="By"/> date (created: ordered; updated:
/// ordered, confirmed, fixed, shipped, shipment reported or payment fixed — RMS has no last-modified date to search by) falls
/// in <see cref="From"/> … <see cref="To"/>; <see cref="Step"/> is where the job goes on (the next date type and window).</summary>
public sealed record OrderSyncRange(DateTimeOffset From, DateTimeOffset To, string By, int Step = 0)
{
    public static readonly string[] Bys = ["created", "updated"];

    /// <summary>The searchOrder date types each choice reads (reference §3.2).</summary>
    [JsonIgnore]
    public IReadOnlyList<int> DateTypes => By == "updated" ? [1, 2, 3, 4, 5, 6] : [1];

    /// <summary>Every (date type, window ≤ 63 days) the sync searches, in order.</summary>
    [JsonIgnore]
    public IReadOnlyList<(int DateType, DateTimeOffset From, DateTimeOffset To)> Steps =>
        DateTypes.SelectMany(t => RmsOrderImporter.Windows(From, To).Select(w => (t, w.From, w.To))).ToList();

    public string ToCheckpoint() => JsonSerializer.Serialize(this, JobRunJson);

    public static OrderSyncRange? Parse(string? checkpoint) =>
        checkpoint is null ? null : JsonSerializer.Deserialize<OrderSyncRange>(checkpoint, JobRunJson);

    private static readonly JsonSerializerOptions JobRunJson = new(JsonSerializerDefaults.Web);
}

public sealed record OrderSyncRequest(DateTimeOffset? From, DateTimeOffset? To, string? By);

/// <summary>A sync's progress and outcome: the job (state, report, failures) and the orders it found, by what became of them.</summary>
public sealed record OrderSyncView(
    Guid JobId, string State, DateTimeOffset From, DateTimeOffset To, string By, int Found, int Imported, int AlreadyThere, int Accepted, int Held,
    int History, int Undecided, string? Report, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, string Location);

/// <summary>"Sync orders now" (issue 22): every RMS order of a date range, in every status, imported once — an order
/// already on the platform is counted, not imported again, so running it twice creates nothing twice. Resumable: each
/// window's progress commits with its orders, and a restart goes on from the window it was in.</summary>
public sealed class OrderSyncJob(IServiceScopeFactory scopes, RmsOrderImporter importer) : IJobHandler<RakutenJpDbContext>
{
    public const string Kind = "orders.sync";

    string IJobHandler<RakutenJpDbContext>.Kind => Kind;

    public async Task<string> RunAsync(JobRun run, CancellationToken ct)
    {
        await ConnectionJobs.RequireUsableAsync<RakutenJpDbContext>(scopes, run, "sync the orders", ct);
        var range = OrderSyncRange.Parse(run.Checkpoint) ?? throw new JobRefusedException("The sync has no date range; start it again.");
        var steps = range.Steps;
        for (var step = range.Step; step < steps.Count; step++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
            var connection = await db.Connections.FirstAsync(c => c.Id == run.TargetId, ct);
            var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RmsCredentials>(connection.ProtectedCredentials);
            var (dateType, from, to) = steps[step];
            if (!await importer.ImportWindowAsync(db, connection, credentials, from, to, ct, dateType, new Observer(run)))
            {
                throw new HttpRequestException($"RMS did not answer the search of {from:yyyy-MM-dd} … {to:yyyy-MM-dd}; the sync goes on from there.");
            }

            run.Stage(db, checkpoint: (range with { Step = step + 1 }).ToCheckpoint());
            await db.SaveChangesAsync(ct);
        }

        await using var final = scopes.CreateAsyncScope();
        var view = await OrderSyncEndpoints.CountAsync(final.ServiceProvider.GetRequiredService<RakutenJpDbContext>(), run.Id, ct);
        return $"{view.Found} order(s) found {range.By} {range.From:yyyy-MM-dd HH:mm} … {range.To:yyyy-MM-dd HH:mm} UTC: {view.Imported} imported, " +
               $"{view.AlreadyThere} already on the platform. Of those imported, {view.Accepted} accepted, {view.Held} held, {view.History} kept as history " +
               $"(already shipped, paid or cancelled in RMS) so far; the live figures are at GET /channels/rakuten-jp/connections/{run.TargetId}/orders/sync/{run.Id}.";
    }

    /// <summary>Records each order of the window on the job as it is found and staged, with the job's progress.</summary>
    private sealed class Observer(JobRun run) : IOrderImportObserver
    {
        private readonly Dictionary<string, OrderSyncItem> _items = [];

        public async Task FoundAsync(RakutenJpDbContext db, IReadOnlyList<string> numbers, IReadOnlySet<string> known, CancellationToken ct)
        {
            // A window searched again (a retry, or "updated" reading one order by several dates) counts each order once.
            var recorded = await db.OrderSyncItems.Where(i => i.JobId == run.Id && numbers.Contains(i.OrderNumber)).ToDictionaryAsync(i => i.OrderNumber, ct);
            var added = 0;
            var alreadyThere = 0;
            foreach (var number in numbers)
            {
                if (!recorded.TryGetValue(number, out var item))
                {
                    item = new OrderSyncItem { JobId = run.Id, ConnectionId = run.TargetId, OrderNumber = number, Outcome = known.Contains(number) ? "alreadyThere" : "found" };
                    db.OrderSyncItems.Add(item);
                    added++;
                    alreadyThere += known.Contains(number) ? 1 : 0;
                }

                _items[number] = item;
            }

            run.Stage(db, done: alreadyThere, total: (run.Total ?? 0) + added);
        }

        public void Staged(RakutenJpDbContext db, IReadOnlyList<JsonObject> orders)
        {
            var done = 0;
            foreach (var order in orders)
            {
                if (_items.GetValueOrDefault(order["orderNumber"]!.GetValue<string>()) is not { Outcome: "found" } item)
                {
                    continue;
                }

                item.Outcome = "imported";
                // Shipped, paid or cancelled before the platform saw it: kept on the platform, never sent to Shopify.
                if (order["orderProgress"]?.GetValue<int>() is >= 500)
                {
                    item.Decision = "history";
                }

                done++;
            }

            run.Stage(db, done: done);
        }
    }
}

/// <summary>Follows the platform's decision on each order a sync imported (accepted, or held with a reason).</summary>
public sealed class OrderSyncDecisionConsumer(RakutenJpDbContext db) : IConsumer<OrderAccepted>, IConsumer<OrderHeld>
{
    public Task Consume(ConsumeContext<OrderAccepted> context) => DecideAsync(context.Message.Channel, context.Message.ConnectionId, context.Message.ChannelOrderId,
        "accepted", context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<OrderHeld> context) => DecideAsync(context.Message.Channel, context.Message.ConnectionId, context.Message.ChannelOrderId,
        "held", context.Message.OccurredAt, context.CancellationToken);

    // The latest decision wins, whatever order the messages arrive in; one delivered twice changes nothing.
    private Task DecideAsync(Channel channel, Guid connectionId, string number, string decision, DateTimeOffset at, CancellationToken ct) =>
        channel != Channel.RakutenJp
            ? Task.CompletedTask
            : db.OrderSyncItems.Where(i => i.ConnectionId == connectionId && i.OrderNumber == number && (i.DecidedAt == null || i.DecidedAt < at))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Decision, decision).SetProperty(i => i.DecidedAt, at), ct);
}

public static class OrderSyncEndpoints
{
    /// <summary>How far back a sync may reach: RMS keeps orders 730 days (reference §3.2).</summary>
    private static readonly TimeSpan Kept = TimeSpan.FromDays(730);

    public static async Task<OrderSyncView> CountAsync(RakutenJpDbContext db, Guid jobId, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == jobId, ct);
        var range = OrderSyncRange.Parse(job.Checkpoint)!;
        var counts = await db.OrderSyncItems.AsNoTracking().Where(i => i.JobId == jobId).GroupBy(i => new { i.Outcome, i.Decision })
            .Select(g => new { g.Key.Outcome, g.Key.Decision, Count = g.Count() }).ToListAsync(ct);
        int Count(Func<string, string?, bool> which) => counts.Where(c => which(c.Outcome, c.Decision)).Sum(c => c.Count);
        return new OrderSyncView(job.Id, job.State, range.From, range.To, range.By,
            Found: Count((_, _) => true),
            Imported: Count((o, _) => o == "imported"),
            AlreadyThere: Count((o, _) => o == "alreadyThere"),
            Accepted: Count((o, d) => o == "imported" && d == "accepted"),
            Held: Count((o, d) => o == "imported" && d == "held"),
            History: Count((o, d) => o == "imported" && d == "history"),
            Undecided: Count((o, d) => o == "imported" && d is null),
            job.Report, job.Error, job.CreatedAt, job.FinishedAt, $"{RakutenJpService.Prefix}/connections/{job.Target[(job.Target.IndexOf('/') + 1)..]}/orders/sync/{job.Id}");
    }

    public static void MapOrderSync(this RouteGroupBuilder api)
    {
        // "Sync orders now": 202 with the sync, whose figures are read at its Location while it runs and once it is done.
        api.MapPost("/connections/{id:guid}/orders/sync", async (Guid id, OrderSyncRequest? request, Caller caller, RakutenJpDbContext db,
            JobSignal<RakutenJpDbContext> signal, TimeProvider clock, IConfiguration configuration, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var now = clock.GetUtcNow();
            var to = request?.To ?? now;
            var from = request?.From ?? now - configuration.GetValue("Platform:RakutenJp:OrderBackfill", TimeSpan.FromDays(90));
            var by = request?.By ?? "created";
            var errors = new Dictionary<string, string[]>();
            if (!OrderSyncRange.Bys.Contains(by)) errors["by"] = ["must be created (the order date) or updated (any date RMS records on the order: confirmed, fixed, shipped, paid)"];
            if (to > now.AddMinutes(1)) errors["to"] = ["must not be in the future"];
            if (from >= to) errors["from"] = ["must be before to"];
            else if (from < now - Kept) errors["from"] = ["must be within the last 730 days: RMS keeps orders no longer"];
            if (errors.Count > 0)
            {
                return ApiErrors.Validation(errors);
            }

            var job = await Jobs.StartAsync(db, caller, OrderSyncJob.Kind, $"connection/{id}", clock, signal, ct, checkpoint: new OrderSyncRange(from, to, by).ToCheckpoint());
            var view = await CountAsync(db, job.Id, ct);
            return Results.Accepted(view.Location, view);
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Produces<OrderSyncView>(StatusCodes.Status202Accepted);

        api.MapGet("/connections/{id:guid}/orders/sync", async (Guid id, Caller caller, RakutenJpDbContext db, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: false, tracked: false, ct);
            var target = $"connection/{id}";
            var ids = await db.Jobs.AsNoTracking().Where(j => j.TenantId == caller.Tenant && j.Kind == OrderSyncJob.Kind && j.Target == target)
                .OrderByDescending(j => j.CreatedAt).Take(20).Select(j => j.Id).ToListAsync(ct);
            var views = new List<OrderSyncView>();
            foreach (var jobId in ids)
            {
                views.Add(await CountAsync(db, jobId, ct));
            }

            return Results.Ok(views);
        }).Produces<List<OrderSyncView>>();

        api.MapGet("/connections/{id:guid}/orders/sync/{jobId:guid}", async (Guid id, Guid jobId, Caller caller, RakutenJpDbContext db, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: false, tracked: false, ct);
            var target = $"connection/{id}";
            if (!await db.Jobs.AsNoTracking().AnyAsync(j => j.Id == jobId && j.TenantId == caller.Tenant && j.Kind == OrderSyncJob.Kind && j.Target == target, ct))
            {
                throw PlatformProblem.NotFound("order sync with this id on this connection");
            }

            return Results.Ok(await CountAsync(db, jobId, ct));
        }).Produces<OrderSyncView>();
    }
}
