using FluentAssertions;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Tests;

public sealed class SchemaScriptTests
{
    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public void Platform_scripts_exist_for_both_dialects_and_are_idempotent(SqlDialect dialect)
    {
        var scripts = SchemaInitializer<PlatformDbContext>.Scripts(dialect, typeof(PlatformDbContext).Assembly);

        scripts.Should().ContainSingle(s => s.Name.EndsWith("000_platform.sql"));
        var sql = scripts.Single().Sql;
        sql.Should().Contain("CREATE TABLE IF NOT EXISTS events")
            .And.Contain("CREATE TABLE IF NOT EXISTS outbox")
            .And.Contain("CREATE TABLE IF NOT EXISTS inbox");
        // Every statement must be safe to run again at the next start.
        sql.Split(';').Select(s => s.Trim()).Where(s => s.StartsWith("CREATE", StringComparison.OrdinalIgnoreCase))
            .Should().AllSatisfy(s => s.Should().Contain("IF NOT EXISTS"));
    }
}
