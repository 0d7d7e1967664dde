using FluentAssertions;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.BuildingBlocks.Tests;

public sealed class SchemaScriptTests
{
    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public void Platform_scripts_exist_for_both_dialects_and_create_the_event_store_outbox_inbox_audit_log_and_jobs(SqlDialect dialect)
    {
        var scripts = SchemaInitializer<PlatformDbContext>.Scripts(dialect, typeof(PlatformDbContext));

        scripts.Select(s => s.Name.Split('/')[1]).Should().Equal("000_platform.sql", "010_audit_log.sql", "020_change_feed.sql", "030_jobs.sql");
        var sql = string.Join('\n', scripts.Select(s => s.Sql));
        sql.Should().Contain("CREATE TABLE IF NOT EXISTS events")
            .And.Contain("CREATE TABLE IF NOT EXISTS outbox")
            .And.Contain("CREATE TABLE IF NOT EXISTS inbox")
            .And.Contain("CREATE TABLE IF NOT EXISTS audit_log")
            .And.Contain("CREATE TABLE IF NOT EXISTS change_feed")
            .And.Contain("CREATE TABLE IF NOT EXISTS jobs");
        // A database created before the initializer recorded its scripts runs them again once: creating is idempotent.
        sql.Split(';').Select(s => s.Trim()).Where(s => s.StartsWith("CREATE", StringComparison.OrdinalIgnoreCase))
            .Should().AllSatisfy(s => s.Should().Contain("IF NOT EXISTS"));
    }

    [Theory]
    [InlineData(SqlDialect.Postgres)]
    [InlineData(SqlDialect.Sqlite)]
    public void A_context_gets_the_scripts_of_the_platform_parts_it_is_built_on_after_the_platform_s_own(SqlDialect dialect)
    {
        var channel = SchemaInitializer<ChannelDbContext>.Scripts(dialect, typeof(ChannelDbContext)).Select(s => s.Name.Split('/')[1]).ToList();
        var identity = SchemaInitializer<IdentityDbContext>.Scripts(dialect, typeof(IdentityDbContext)).Select(s => s.Name.Split('/')[1]).ToList();

        channel.Should().Equal("000_platform.sql", "010_audit_log.sql", "020_change_feed.sql", "030_jobs.sql", "010_connections.sql", "020_connection_identity.sql", "030_rate_budget.sql");
        identity.Should().Equal("000_platform.sql", "010_audit_log.sql", "020_change_feed.sql", "030_jobs.sql", "100_api_keys.sql");
        // The connection scripts moved from BuildingBlocks to Channels.Common: still recorded under their first name, so
        // that a database made before the move does not run them again.
        SchemaInitializer<ChannelDbContext>.Scripts(dialect, typeof(ChannelDbContext)).Select(s => s.Name)
            .Should().Contain(["Rakuten.Platform.BuildingBlocks/010_connections.sql", "Rakuten.Platform.BuildingBlocks/030_rate_budget.sql"]);
    }
}
