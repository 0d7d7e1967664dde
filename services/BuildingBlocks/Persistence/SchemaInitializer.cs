using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Rakuten.Platform.BuildingBlocks.Persistence;

/// <summary>Creates and upgrades a service's schema at start-up from SQL scripts rather than EF migrations: one
/// reviewed script per engine says exactly what PostgreSQL and SQLite each get (SQLite's ALTER limits handled by hand),
/// where migrations would be two generated sets to keep in step (EF's design-time package restores since 2026-12,
/// 10.0.15; the choice was first forced by its absence and is kept on its merits — docs/foundation.md). Scripts are embedded resources named <c>…Schema.{postgres|sqlite}.NNN_name.sql</c>: the
/// platform's tables first, then the service's own, in name order. Each runs once: it is recorded in
/// <c>schema_scripts</c> in the transaction that applies it, and a recorded script is not run again (so a script may
/// alter a table, which SQLite cannot do idempotently). On PostgreSQL an advisory lock keeps two replicas from racing.</summary>
public sealed class SchemaInitializer<TContext>(
    IServiceScopeFactory scopes,
    ServiceDatabase<TContext> database,
    ILogger<SchemaInitializer<TContext>> logger) : IHostedService where TContext : PlatformDbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var db = database.Database;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyAsync(db, cancellationToken);
                return;
            }
            catch (Exception ex) when (attempt < 30 && !cancellationToken.IsCancellationRequested && IsTransient(ex))
            {
                // The database may still be starting (compose, Kubernetes): wait for it rather than crash-loop.
                logger.LogWarning("Database {Database} not reachable yet ({Reason}); retrying", db.Service, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The scripts of a context, in the order they run: those of each platform part the context is built on
    /// (<see cref="SchemaPartAttribute"/>: the platform's tables, then the channel connections or the identity store),
    /// base first, then the service's own (every <c>Schema.{dialect}.</c> script of its assembly).</summary>
    public static IReadOnlyList<(string Name, string Sql)> Scripts(SqlDialect dialect, Type context)
    {
        var folder = dialect == SqlDialect.Postgres ? "Schema.postgres." : "Schema.sqlite.";
        var hierarchy = new List<Type>();
        for (var type = context; type is not null && type != typeof(DbContext); type = type.BaseType)
        {
            hierarchy.Insert(0, type);
        }

        var parts = hierarchy
            .Select(t => (Type: t, Part: t.GetCustomAttribute<SchemaPartAttribute>(inherit: false)))
            .Where(p => p.Part is not null)
            .Select(p => (p.Type.Assembly, Prefix: $"{p.Type.Namespace}.{folder}", RecordedAs: p.Part!.RecordedAs))
            .ToList();
        if (context.GetCustomAttribute<SchemaPartAttribute>(inherit: false) is null)
        {
            parts.Add((context.Assembly, $".{folder}", context.Assembly.GetName().Name!));
        }

        return parts
            .SelectMany(p => p.Assembly.GetManifestResourceNames()
                .Where(n => n.Contains(p.Prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(n => (Name: $"{p.RecordedAs}/{n[(n.IndexOf(p.Prefix, StringComparison.Ordinal) + p.Prefix.Length)..]}", Sql: Read(p.Assembly, n))))
            .ToList();
    }

    private async Task ApplyAsync(ServiceDatabase db, CancellationToken ct)
    {
        if (db.Dialect == SqlDialect.Postgres)
        {
            await EnsurePostgresDatabaseAsync(db, ct);
        }

        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        try
        {
            if (db.Dialect == SqlDialect.Postgres)
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_lock({LockKey(db.Service)})", ct);
            }
            else
            {
                // WAL lets readers (the outbox relay, health checks) proceed while a writer commits.
                await ExecuteAsync(connection, "PRAGMA journal_mode=WAL", ct);
            }

            await ExecuteAsync(connection,
                "CREATE TABLE IF NOT EXISTS schema_scripts (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)", ct);
            var done = new HashSet<string>(StringComparer.Ordinal);
            await using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT name FROM schema_scripts";
                await using var rows = await read.ExecuteReaderAsync(ct);
                while (await rows.ReadAsync(ct))
                {
                    done.Add(rows.GetString(0));
                }
            }

            var applied = 0;
            foreach (var (name, sql) in Scripts(db.Dialect, typeof(TContext)))
            {
                if (done.Contains(name))
                {
                    continue;
                }

                await using var tx = await connection.BeginTransactionAsync(ct);
                await ExecuteAsync(connection, sql, ct, tx);
                await using var record = connection.CreateCommand();
                record.Transaction = tx;
                record.CommandText = db.Dialect == SqlDialect.Postgres
                    ? "INSERT INTO schema_scripts (name, applied_at) VALUES (@name, @at) ON CONFLICT (name) DO NOTHING"
                    : "INSERT OR IGNORE INTO schema_scripts (name, applied_at) VALUES (@name, @at)";
                AddParameter(record, "@name", name);
                AddParameter(record, "@at", DateTimeOffset.UtcNow.ToString("O"));
                applied += await record.ExecuteNonQueryAsync(ct);
                await tx.CommitAsync(ct);
            }

            logger.LogInformation("Schema of {Service} ready ({Dialect}, {Applied} new script(s))", db.Service, db.Dialect, applied);
        }
        finally
        {
            if (db.Dialect == SqlDialect.Postgres)
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({LockKey(db.Service)})", CancellationToken.None);
            }

            await connection.CloseAsync();
        }
    }

    private static async Task EnsurePostgresDatabaseAsync(ServiceDatabase db, CancellationToken ct)
    {
        var name = db.DatabaseNameOnServer;
        var admin = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ToString());
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", name);
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another replica created it a moment ago.
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is NpgsqlException { IsTransient: true } or TimeoutException
        || ex is PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow }
        || ex is System.Net.Sockets.SocketException
        || ex.InnerException is { } inner && IsTransient(inner);

    private static long LockKey(string service) =>
        // A stable 32-bit key per service (string.GetHashCode is randomised per process).
        service.Aggregate(17L, (h, c) => (h * 31 + c) & 0x7fffffff);

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct, DbTransaction? tx = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>A context base whose tables come with it: its scripts are the embedded <c>{namespace}.Schema.{dialect}.*.sql</c>
/// of its assembly, run before those of the contexts built on it. <paramref name="recordedAs"/> is the name the scripts
/// are recorded under in <c>schema_scripts</c> — kept when a part moves between assemblies, or a database made before the
/// move would run them again.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SchemaPartAttribute(string recordedAs) : Attribute
{
    public string RecordedAs { get; } = recordedAs;
}
