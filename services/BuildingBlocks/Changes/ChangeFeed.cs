using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Changes;

/// <summary>How the change feeds are read and kept (<c>Platform:Changes</c>).</summary>
public sealed record ChangeFeedOptions(TimeSpan PollInterval, TimeSpan Retention, int SubscriberBuffer, TimeSpan PruneInterval)
{
    public static ChangeFeedOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Platform:Changes");
        return new ChangeFeedOptions(
            section.GetValue("PollInterval", TimeSpan.FromMilliseconds(100)),
            section.GetValue("Retention", TimeSpan.FromDays(3)),
            section.GetValue("SubscriberBuffer", 10_000),
            section.GetValue("PruneInterval", TimeSpan.FromHours(1)));
    }
}

/// <summary>One service's change feed: a single reader per process polls the <c>change_feed</c> table while anyone
/// watches and hands each new row to every watch of its tenant and topic, through a bounded buffer each. A watch that
/// lets its buffer fill is ended (<see cref="Subscription.Overflowed"/>) rather than slowing the others, and resumes by
/// token. Past rows (a resumed watch) are read from the table directly. Rows older than the retention are pruned; the
/// horizon remembers up to where, so that an older token is told so instead of silently missing changes.</summary>
public sealed class ChangeFeed<TContext>(IServiceScopeFactory scopes, ServiceDatabase<TContext> database, ChangeFeedOptions options, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<ChangeFeed<TContext>> logger) : BackgroundService where TContext : PlatformDbContext
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Subscription> _subscribers = [];
    private ChangeCursor _head;
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    private bool Postgres => database.Database.Dialect == SqlDialect.Postgres;

    public ChangeFeedOptions Options => options;

    /// <summary>Registers a watch of <paramref name="topic"/> for <paramref name="tenantId"/>: every row committed after
    /// <see cref="Subscription.LiveFrom"/> that <paramref name="wanted"/> accepts arrives in its reader.</summary>
    public async Task<Subscription> SubscribeAsync(Guid tenantId, string topic, Func<ChangeRow, bool> wanted, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_subscribers.Count == 0)
            {
                // Nobody was watching, so the reader did not follow the table: start from what is committed now.
                _head = await LatestAsync(ct);
            }

            var subscription = new Subscription(tenantId, topic, wanted, _head, options.SubscriberBuffer);
            _subscribers.Add(subscription);
            return subscription;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Watches registered (ended ones leave at the next poll).</summary>
    public int Watching => _subscribers.Count;

    /// <summary>Rows of <paramref name="tenantId"/>'s <paramref name="topic"/> after <paramref name="after"/> up to
    /// <paramref name="upTo"/> (inclusive), in feed order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<ChangeRow>> ReadAsync(Guid tenantId, string topic, ChangeCursor after, ChangeCursor upTo, int limit, CancellationToken ct) =>
        await QueryAsync(after, limit, ct, tenantId, topic, upTo);

    /// <summary>The cursor below which rows have been pruned (<see cref="ChangeCursor.Start"/> while nothing has).</summary>
    public Task<ChangeCursor> HorizonAsync(CancellationToken ct) => CursorAsync("SELECT tx, position FROM change_feed_horizon WHERE id = 1", ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The watches end (UNAVAILABLE, "reconnect with the resume token") as soon as the process is asked to stop: the web
        // server waits for open requests before the hosted services stop, so an open stream would hold the shutdown until its
        // timeout (and Kubernetes would SIGKILL the pod).
        using var stopping = lifetime.ApplicationStopping.Register(EndWatches);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.PollInterval, clock, stoppingToken);
                await PollAsync(stoppingToken);
                if (clock.GetUtcNow() - _lastPrune > options.PruneInterval)
                {
                    await PruneAsync(stoppingToken);
                    _lastPrune = clock.GetUtcNow();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break; // on to ending the watches: an open stream would otherwise hold the shutdown until its timeout
            }
            catch (Exception ex)
            {
                // The database is away for a moment: watches wait (they are not ended), and the next poll catches up.
                logger.LogWarning(ex, "The {Context} change feed could not be read; trying again", typeof(TContext).Name);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        EndWatches();
    }

    private void EndWatches()
    {
        if (!_gate.Wait(TimeSpan.FromSeconds(5)))
        {
            logger.LogWarning("The {Context} change feed could not end its watches at shutdown: a poll held it for 5 s", typeof(TContext).Name);
            return;
        }

        try
        {
            foreach (var subscription in _subscribers)
            {
                subscription.Complete(overflowed: false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_subscribers.Count == 0)
            {
                return;
            }

            while (true)
            {
                var rows = await QueryAsync(_head, 1000, ct);
                foreach (var subscription in _subscribers)
                {
                    subscription.Offer(rows);
                }

                if (rows.Count > 0)
                {
                    _head = rows[^1].Cursor;
                }

                if (rows.Count < 1000)
                {
                    break;
                }
            }

            _subscribers.RemoveAll(s => s.Ended);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task<ChangeCursor> LatestAsync(CancellationToken ct) => CursorAsync(Postgres
        ? "SELECT tx::text::bigint, position FROM change_feed WHERE tx < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx DESC, position DESC LIMIT 1"
        : "SELECT tx, position FROM change_feed ORDER BY position DESC LIMIT 1", ct);

    /// <summary>The cursor a one-row query answers; <see cref="ChangeCursor.Start"/> when it finds none.</summary>
    private Task<ChangeCursor> CursorAsync(string sql, CancellationToken ct) => WithCommandAsync(async command =>
    {
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ChangeCursor(reader.GetInt64(0), reader.GetInt64(1)) : ChangeCursor.Start;
    }, ct);

    /// <summary>Runs <paramref name="run"/> with a command on a pooled connection of the service's database, for this read only.</summary>
    private async Task<T> WithCommandAsync<T>(Func<DbCommand, Task<T>> run, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            return await run(command);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private Task<List<ChangeRow>> QueryAsync(ChangeCursor after, int limit, CancellationToken ct, Guid? tenantId = null, string? topic = null, ChangeCursor? upTo = null) =>
        WithCommandAsync(async command =>
        {
            var tx = Postgres ? "tx::text::bigint" : "tx";
            var cast = Postgres ? "::text::xid8" : "";
            var where = new List<string> { $"(tx, position) > (@afterTx{cast}, @afterPosition)" };
            Add(command, "afterTx", Tx(after));
            Add(command, "afterPosition", after.Position);
            if (Postgres)
            {
                // Only transactions older than every one still running: nothing can commit behind these rows any more.
                where.Add("tx < pg_snapshot_xmin(pg_current_snapshot())");
            }

            if (upTo is { } last)
            {
                where.Add($"(tx, position) <= (@upToTx{cast}, @upToPosition)");
                Add(command, "upToTx", Tx(last));
                Add(command, "upToPosition", last.Position);
            }

            if (tenantId is { } tenant)
            {
                where.Add("tenant_id = @tenant");
                Add(command, "tenant", Postgres ? tenant : tenant.ToString().ToUpperInvariant());
            }

            if (topic is not null)
            {
                where.Add("topic = @topic");
                Add(command, "topic", topic);
            }

            command.CommandText = $"SELECT {tx}, position, tenant_id, topic, subject, data, recorded_at FROM change_feed WHERE {string.Join(" AND ", where)} " +
                                  $"ORDER BY tx, position LIMIT {limit}";
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<ChangeRow>();
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new ChangeRow(new ChangeCursor(reader.GetInt64(0), reader.GetInt64(1)),
                    Postgres ? reader.GetGuid(2) : Guid.Parse(reader.GetString(2)), reader.GetString(3), reader.GetString(4), (byte[])reader.GetValue(5),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
            }

            return rows;
        }, ct);

    /// <summary>A cursor's transaction as a parameter: PostgreSQL casts it to xid8 from text (there is no bigint cast).</summary>
    private object Tx(ChangeCursor cursor) => Postgres ? cursor.Tx.ToString(System.Globalization.CultureInfo.InvariantCulture) : cursor.Tx;

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Deletes rows older than the retention, remembering the newest deleted cursor as the horizon.</summary>
    private async Task PruneAsync(CancellationToken ct)
    {
        var cutoff = (clock.GetUtcNow() - options.Retention).ToUnixTimeMilliseconds();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = db.Database.GetDbConnection();
        DbCommand Command(string sql)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = sql;
            return command;
        }

        var tx = Postgres ? "tx::text::bigint" : "tx";
        ChangeCursor? newest = null;
        await using (var find = Command($"SELECT {tx}, position FROM change_feed WHERE recorded_at < @cutoff ORDER BY tx DESC, position DESC LIMIT 1"))
        {
            Add(find, "cutoff", cutoff);
            await using var reader = await find.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                newest = new ChangeCursor(reader.GetInt64(0), reader.GetInt64(1));
            }
        }

        if (newest is { } last)
        {
            await using (var horizon = Command(
                "INSERT INTO change_feed_horizon (id, tx, position) VALUES (1, @tx, @position) ON CONFLICT (id) DO UPDATE SET tx = excluded.tx, position = excluded.position " +
                "WHERE change_feed_horizon.tx < excluded.tx OR (change_feed_horizon.tx = excluded.tx AND change_feed_horizon.position < excluded.position)"))
            {
                Add(horizon, "tx", last.Tx);
                Add(horizon, "position", last.Position);
                await horizon.ExecuteNonQueryAsync(ct);
            }

            // Everything at or below the horizon goes, so that a token just above it still finds all that follows.
            var cast = Postgres ? "::text::xid8" : "";
            await using var delete = Command($"DELETE FROM change_feed WHERE (tx, position) <= (@tx{cast}, @position)");
            Add(delete, "tx", Tx(last));
            Add(delete, "position", last.Position);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            logger.LogInformation("Pruned {Count} change(s) of the {Context} feed older than {Retention}", deleted, typeof(TContext).Name, options.Retention);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>One watch's share of the feed.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly Guid _tenantId;
        private readonly string _topic;
        private readonly Func<ChangeRow, bool> _wanted;
        private readonly Channel<ChangeRow> _channel;
        private readonly CancellationTokenSource _ended = new();
        private readonly int _capacity;

        internal Subscription(Guid tenantId, string topic, Func<ChangeRow, bool> wanted, ChangeCursor liveFrom, int capacity)
        {
            _tenantId = tenantId;
            _topic = topic;
            _wanted = wanted;
            LiveFrom = liveFrom;
            _capacity = capacity;
            _channel = Channel.CreateBounded<ChangeRow>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        }

        /// <summary>Rows after this cursor arrive in <see cref="Reader"/>; those up to it are in the table.</summary>
        public ChangeCursor LiveFrom { get; }

        public ChannelReader<ChangeRow> Reader => _channel.Reader;

        /// <summary>The buffer filled up: the watcher reads slower than changes come.</summary>
        public bool Overflowed { get; private set; }

        public bool Ended { get; private set; }

        /// <summary>Cancelled when the subscription ends (overflow, shutdown): a write blocked on a slow client gives up.</summary>
        public CancellationToken EndedToken => _ended.Token;

        /// <summary>The rows of one poll that are this watch's; all of them, or — when they would not fit beside what it
        /// has not sent yet — none, and the watch is ended (it resumes by token, from the table).</summary>
        internal void Offer(IReadOnlyList<ChangeRow> rows)
        {
            if (Ended)
            {
                return;
            }

            var mine = rows.Where(row => row.TenantId == _tenantId && row.Topic == _topic && _wanted(row)).ToList();
            if (mine.Count == 0)
            {
                return;
            }

            if (_channel.Reader.Count + mine.Count > _capacity)
            {
                Complete(overflowed: true);
                return;
            }

            foreach (var row in mine)
            {
                _channel.Writer.TryWrite(row);
            }
        }

        internal void Complete(bool overflowed)
        {
            lock (_channel)
            {
                if (Ended)
                {
                    return;
                }

                Ended = true;
                Overflowed = overflowed;
            }

            _channel.Writer.TryComplete();
            _ended.Cancel();
        }

        /// <summary>Ends the watch; the feed forgets it at its next poll.</summary>
        public void Dispose() => Complete(overflowed: false);
    }
}
