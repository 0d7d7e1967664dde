using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>How long a rebuild took and what it read and wrote.</summary>
public sealed record ProjectionRebuildResult(string Projection, long Events, int Rows, TimeSpan Took);

/// <summary>A read model a service keeps as a projection of its streams, rebuilt from every event:
/// <c>dotnet run --project services/Host -- rebuild-projections</c> (docs/foundation.md).</summary>
public interface IProjectionRebuild
{
    string Name { get; }

    Task<ProjectionRebuildResult> RebuildAsync(CancellationToken ct);
}

/// <summary>The frame of a rebuild: one transaction (the tables locked against writers on PostgreSQL), every event of the
/// store read in commit order, the projection's rows replaced by what the events make of them.</summary>
public abstract class ProjectionRebuild<TContext>(IServiceScopeFactory scopes) : IProjectionRebuild where TContext : PlatformDbContext
{
    private const int Page = 5_000;

    public abstract string Name { get; }

    /// <summary>The tables the projection writes, locked for the rebuild on PostgreSQL.</summary>
    protected abstract IReadOnlyList<string> Tables { get; }

    /// <summary>Folds one event into the rows kept in memory.</summary>
    protected abstract void Apply(StoredEvent e);

    /// <summary>Replaces the projection's rows with the ones folded (the old ones are read first for what events never held).</summary>
    protected abstract Task<int> ReplaceAsync(TContext db, CancellationToken ct);

    public async Task<ProjectionRebuildResult> RebuildAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var streams = scope.ServiceProvider.GetRequiredService<EventStreams<TContext>>().Streams;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (db.Database.IsNpgsql())
        {
            // Writers wait for the rebuild (readers do not); the table names are the projection's own constants.
            var lockTables = "LOCK TABLE " + string.Join(", ", Tables) + " IN EXCLUSIVE MODE";
            await db.Database.ExecuteSqlRawAsync(lockTables, ct);
        }

        long after = 0, events = 0;
        while (true)
        {
            var page = await streams.ReadAllAsync(db, after, Page, ct);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var e in page)
            {
                Apply(e);
            }

            after = page[^1].Position;
            events += page.Count;
        }

        var rows = await ReplaceAsync(db, ct);
        await tx.CommitAsync(ct);
        return new ProjectionRebuildResult(Name, events, rows, watch.Elapsed);
    }
}
