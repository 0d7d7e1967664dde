using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;

namespace Rakuten.Platform.Channels.RakutenJp.PushingStock;

/// <summary>The merchant's stock reconciliation as a job: every pushed SKU read back from RMS (done of the SKUs pushed),
/// what differs pushed again, what RMS refuses to read listed with its reason.</summary>
public sealed class StockReconcileJob(IServiceScopeFactory scopes, StockPusher pusher) : IJobHandler<RakutenJpDbContext>
{
    public const string Kind = "stock.reconcile";

    string IJobHandler<RakutenJpDbContext>.Kind => Kind;

    public async Task<string> RunAsync(JobRun run, CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
            var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == run.TargetId && c.TenantId == run.TenantId, ct);
            if (connection is null || connection.RemovedAt is not null)
            {
                throw new JobRefusedException("The connection was removed: its stock is not read any more.");
            }

            if (connection.FlowsPaused)
            {
                throw new JobRefusedException($"The connection is paused ({connection.HealthDetail}). Update its credentials, then reconcile again.");
            }
        }

        var repaired = await pusher.ReconcileAsync(run.TargetId, ct, run);
        var refused = run.Failed > 0 ? $"; {run.Failed} could not be read (see failures)" : "";
        return $"{run.Done} SKU(s) read back from RMS; {repaired} differed from what the platform pushed and are pushed again{refused}.";
    }
}
