using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Tests;

public sealed class PlatformOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Embedded_is_the_default_mode_and_needs_no_connection_strings()
    {
        var options = PlatformOptions.From(Config(), "orders");

        options.Mode.Should().Be(PlatformMode.Embedded);
        options.ServiceName.Should().Be("orders");
    }

    [Fact]
    public void An_unknown_mode_is_refused_naming_the_setting_and_the_allowed_values()
    {
        var act = () => PlatformOptions.From(Config(("Platform:Mode", "Cluster")), "orders");

        act.Should().Throw<InvalidOperationException>().WithMessage("*Platform:Mode*Cluster*Embedded*Distributed*");
    }

    [Theory]
    [InlineData("ConnectionStrings:RabbitMq", "amqp://127.0.0.1", "ConnectionStrings:Postgres")]
    [InlineData("ConnectionStrings:Postgres", "Host=127.0.0.1", "ConnectionStrings:RabbitMq")]
    public void Distributed_mode_names_the_missing_connection_string(string given, string value, string missing)
    {
        var act = () => PlatformOptions.From(Config(("Platform:Mode", "Distributed"), (given, value)), "orders");

        act.Should().Throw<InvalidOperationException>().WithMessage($"*{missing}*deploy/local/start.sh*");
    }

    [Fact]
    public void Each_service_gets_its_own_database()
    {
        var options = PlatformOptions.From(Config(
            ("Platform:Mode", "Distributed"),
            ("ConnectionStrings:Postgres", "Host=127.0.0.1;Port=55432;Username=postgres;Password=secret"),
            ("ConnectionStrings:RabbitMq", "amqp://guest:guest@127.0.0.1:55672/")), "host");

        var jp = ServiceDatabase.Resolve(options, Config(), "rakuten-jp");
        var orders = ServiceDatabase.Resolve(options, Config(), "orders");

        jp.DatabaseNameOnServer.Should().Be("rakuten_rakuten_jp");
        orders.DatabaseNameOnServer.Should().Be("rakuten_orders");
        jp.Dialect.Should().Be(SqlDialect.Postgres);
    }

    [Fact]
    public void Embedded_services_get_one_sqlite_file_each_under_the_data_directory()
    {
        var folder = Path.Combine(Path.GetTempPath(), "bb-tests-" + Guid.NewGuid().ToString("N"));
        var options = PlatformOptions.From(Config(("Platform:DataDirectory", folder)), "host");

        var db = ServiceDatabase.Resolve(options, Config(), "catalog");

        db.Dialect.Should().Be(SqlDialect.Sqlite);
        db.ConnectionString.Should().Contain(Path.Combine(folder, "catalog.db"));
    }
}
