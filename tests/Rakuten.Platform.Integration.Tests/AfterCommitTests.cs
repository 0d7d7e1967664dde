using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService;
using Xunit;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>What a unit of work defers to its commit (a decision's metrics) runs when it commits, never when it rolls back.</summary>
public sealed class AfterCommitTests
{
    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public async Task Deferred_work_runs_once_on_commit_and_never_after_a_rollback(SqlDialect dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        await using var scope = database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
        var ran = new List<string>();

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            db.AfterCommit(() => ran.Add("rolled back"));
            db.Effects.Add(Effect());
            await db.SaveChangesAsync();
            ran.Should().BeEmpty("nothing is durable before the commit");
            await tx.RollbackAsync();
        }

        db.DiscardUnsaved();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            db.AfterCommit(() => ran.Add("committed"));
            db.Effects.Add(Effect());
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        db.AfterCommit(() => ran.Add("saved without a transaction"));
        db.Effects.Add(Effect());
        await db.SaveChangesAsync();
        await db.SaveChangesAsync();

        ran.Should().Equal("committed", "saved without a transaction");
    }

    private static ProbeEffect Effect() => new() { MessageId = Guid.NewGuid(), ProbeId = Guid.NewGuid(), ReceivedAt = DateTimeOffset.UtcNow };
}
