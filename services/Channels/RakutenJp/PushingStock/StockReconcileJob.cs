using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.Channels.RakutenJp.PushingStock;

/// <summary>The merchant's stock reconciliation as a job: every pushed SKU read back from RMS (done of the SKUs pushed),
/// what differs pushed again, what RMS refuses to read listed with its reason.</summary>
public sealed class StockReconcileJob(IServiceScopeFactory scopes, StockPusher pusher) : IJobHandler<RakutenJpDbContext>
{
    public const string Kind = "stock.reconcile";

    string IJobHandler<RakutenJpDbContext>.Kind => Kind;

    public async Task<string> RunAsync(JobRun run, CancellationToken ct)
    {
        await ConnectionJobs.RequireUsableAsync<RakutenJpDbContext>(scopes, run, "reconcile", ct);
        var repaired = await pusher.ReconcileAsync(run.TargetId, ct, run);
        var refused = run.Failed > 0 ? $"; {run.Failed} could not be read (see failures)" : "";
        return $"{run.Done} SKU(s) read back from RMS; {repaired} differed from what the platform pushed and are pushed again{refused}.";
    }
}
