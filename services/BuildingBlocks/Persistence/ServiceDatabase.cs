using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Rakuten.Platform.BuildingBlocks.Hosting;

namespace Rakuten.Platform.BuildingBlocks.Persistence;

public enum SqlDialect
{
    Postgres,
    Sqlite,
}

/// <summary>Where one service keeps its data: its own PostgreSQL database (<c>rakuten_{service}</c> on the
/// server of <c>ConnectionStrings:Postgres</c>, or <c>ConnectionStrings:{service}</c> in full) in distributed
/// mode; a SQLite file <c>{Platform:DataDirectory}/{service}.db</c> in embedded mode.</summary>
public sealed partial record ServiceDatabase(string Service, SqlDialect Dialect, string ConnectionString)
{
    public static ServiceDatabase Resolve(PlatformOptions options, IConfiguration configuration, string service)
    {
        if (options.Mode == PlatformMode.Embedded)
        {
            Directory.CreateDirectory(options.DataDirectory);
            var file = Path.Combine(options.DataDirectory, $"{service}.db");
            var sqlite = new SqliteConnectionStringBuilder
            {
                DataSource = file,
                Pooling = true,
                DefaultTimeout = 30, // also how long a writer waits for SQLite's single write lock
            };
            return new ServiceDatabase(service, SqlDialect.Sqlite, sqlite.ToString());
        }

        var explicitConnection = configuration.GetConnectionString(service);
        var builder = new NpgsqlConnectionStringBuilder(explicitConnection ?? options.PostgresConnectionString);
        if (explicitConnection is null)
        {
            builder.Database = DatabaseName(service);
        }

        // The same few statements run thousands of times a second (inbox, outbox, event store): prepared once per
        // connection, PostgreSQL no longer parses and plans each execution (planning alone: 14 % of its CPU in the stock burst). 0 turns
        // it off (a pooler in transaction mode, which cannot keep prepared statements, needs that).
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = configuration.GetValue("Platform:Postgres:MaxAutoPrepare", 64);
        }

        return new ServiceDatabase(service, SqlDialect.Postgres, builder.ToString());
    }

    public static string DatabaseName(string service) =>
        "rakuten_" + NotIdentifier().Replace(service.ToLowerInvariant(), "_");

    public string DatabaseNameOnServer => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    /// <summary>The same database under another application name. On PostgreSQL that is another connection
    /// pool: background work (the outbox relay) is never starved of connections by a burst of requests.</summary>
    public ServiceDatabase ForApplication(string applicationName) =>
        Dialect == SqlDialect.Postgres
            ? this with { ConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ToString() }
            : this;

    public void Configure(DbContextOptionsBuilder options)
    {
        if (Dialect == SqlDialect.Postgres)
        {
            options.UseNpgsql(ConnectionString);
        }
        else
        {
            options.UseSqlite(ConnectionString);
        }
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NotIdentifier();
}

/// <summary>The <see cref="ServiceDatabase"/> of one service's context, for the background parts that need it.</summary>
public sealed record ServiceDatabase<TContext>(ServiceDatabase Database) where TContext : PlatformDbContext;
