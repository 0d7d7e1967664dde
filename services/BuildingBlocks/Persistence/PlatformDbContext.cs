using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;

namespace Rakuten.Platform.BuildingBlocks.Persistence;

/// <summary>A service's database: its own tables plus the event store, outbox and inbox, so that an event,
/// the read models it updates, the integration events it causes and the inbox mark all commit together.</summary>
[SchemaPart("Rakuten.Platform.BuildingBlocks")]
public abstract class PlatformDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<EventRecord> Events => Set<EventRecord>();

    /// <summary>The change feed of the gRPC watches (<see cref="Changes.ChangeFeed{TContext}"/>).</summary>
    public DbSet<Changes.ChangeRecord> Changes => Set<Changes.ChangeRecord>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<InboxEntry> Inbox => Set<InboxEntry>();

    public DbSet<Security.AuditEntry> AuditLog => Set<Security.AuditEntry>();

    /// <summary>The service's long operations (<see cref="Jobs.Jobs"/>).</summary>
    public DbSet<Jobs.JobRecord> Jobs => Set<Jobs.JobRecord>();

    /// <summary>Set when outbox rows were saved and the commit that makes them visible has not yet woken the relay.</summary>
    internal bool OutboxAwaitingCommit { get; set; }

    // Events staged by EventStore, written by the store beneath (Marten or the table) when the context saves.
    private readonly List<PendingAppend> _pendingEvents = [];
    private IEventStreams? _eventStreams;

    internal void StageEvents(IEventStreams streams, PendingAppend append)
    {
        _eventStreams = streams;
        _pendingEvents.Add(append);
    }

    /// <summary>The version a stream will have once this unit of work's staged events are saved (0 if none are staged).</summary>
    internal long StagedVersion(string streamId)
    {
        for (var i = _pendingEvents.Count - 1; i >= 0; i--)
        {
            if (_pendingEvents[i].StreamId == streamId)
            {
                return _pendingEvents[i].ExpectedVersion + _pendingEvents[i].Events.Count;
            }
        }

        return 0;
    }

    /// <summary>Who this unit of work acts for, written on every event it appends: the inbox sets <c>consumer:{name}</c>,
    /// an endpoint the caller's actor (<see cref="Security.Caller.Actor"/>).</summary>
    public string? Actor { get; set; }

    /// <summary>The message or request that caused this unit of work (its id), when there is one.</summary>
    public string? Cause { get; set; }

    // The inbox's deliveries of a batch: each message's own id is the causation of the events it causes.
    private IReadOnlyDictionary<object, Guid>? _causes;

    internal void CausedBy(string actor, IReadOnlyDictionary<object, Guid> causes)
    {
        Actor = actor;
        _causes = causes;
        Cause = causes.Count == 1 ? causes.Values.First().ToString() : null;
    }

    /// <summary>The id of the delivered <paramref name="message"/> (of the batch this unit of work handles), for the
    /// causation of the events it causes.</summary>
    public string? CauseOf(object message) => _causes?.GetValueOrDefault(message) is { } id && id != Guid.Empty ? id.ToString() : Cause;

    // Items staged for batched outbox messages (AddToOutboxBatch), in staging order, until the next save.
    private readonly Dictionary<object, OutboxBatch> _outboxBatches = [];

    internal OutboxBatch OutboxBatch(object key, Func<OutboxBatch> create)
    {
        if (!_outboxBatches.TryGetValue(key, out var batch))
        {
            batch = create();
            _outboxBatches[key] = batch;
        }

        return batch;
    }

    internal void FlushOutboxBatch(object key)
    {
        if (_outboxBatches.Remove(key, out var batch))
        {
            batch.AddTo(this);
        }
    }

    /// <summary>Forgets everything of this unit of work that is not saved: the tracked changes and the items staged for
    /// batched outbox messages. A unit of work that failed and is tried again on the same context must not carry
    /// either (a staged quantity with a version its rolled-back transaction had taken would be published).</summary>
    public void DiscardUnsaved()
    {
        ChangeTracker.Clear();
        _outboxBatches.Clear();
        _afterCommit.Clear();
        _pendingEvents.Clear();
    }

    // What happens once the unit of work is durable (metrics of what was decided): dropped if it rolls back.
    private readonly List<Action> _afterCommit = [];

    /// <summary>Runs <paramref name="action"/> when the current unit of work commits (the transaction, or the next save
    /// outside one); never if it rolls back — a counter of decisions counts only decisions that stood.</summary>
    public void AfterCommit(Action action) => _afterCommit.Add(action);

    internal void Committed()
    {
        var actions = _afterCommit.ToArray();
        _afterCommit.Clear();
        foreach (var action in actions)
        {
            action();
        }
    }

    internal void RolledBack() => _afterCommit.Clear();

    // Contexts are pooled: a context handed back mid-way (an exception before commit) must not carry the flag, nor
    // items staged for a message that was never saved.
    public override void Dispose()
    {
        Reset();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        Reset();
        return base.DisposeAsync();
    }

    private void Reset()
    {
        OutboxAwaitingCommit = false;
        _outboxBatches.Clear();
        _afterCommit.Clear();
        _pendingEvents.Clear();
        _causes = null;
        Actor = null;
        Cause = null;
    }

    /// <summary>A service's last word on a save before it is written (the Orders service records its changed orders in the change feed).</summary>
    protected virtual void BeforeSave()
    {
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (_pendingEvents.Count == 0 || _eventStreams is null)
        {
            return await SaveStateAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        // The staged events go first, then the state: both inside one transaction — the caller's (the inbox's), or one
        // begun here for this save alone. A stream that moved on refuses the events and the state is never written.
        var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            try
            {
                await _eventStreams.WriteAsync(this, _pendingEvents, cancellationToken);
            }
            finally
            {
                // Written or refused, they are this save's: a unit of work that failed is discarded, never saved twice.
                _pendingEvents.Clear();
            }

            var saved = await SaveStateAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }

            return saved;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    private async Task<int> SaveStateAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        BeforeSave();
        foreach (var batch in _outboxBatches.Values)
        {
            batch.AddTo(this);
        }

        _outboxBatches.Clear();

        // Events are only ever added, and an added entity is known as such without a scan for changes: reading the
        // entries with detection on would scan every tracked entity once here and again in the save.
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        List<EventRecord> appended;
        try
        {
            appended = ChangeTracker.Entries<EventRecord>()
                .Where(e => e.State == EntityState.Added)
                .Select(e => e.Entity)
                .ToList();
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }

        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        catch (DbUpdateException ex) when (appended.Count > 0 && DatabaseErrors.IsUniqueViolation(ex, "events"))
        {
            // Another writer appended to the stream first. SaveChanges' transaction (or the caller's, once it
            // is disposed) rolls back, so nothing of this unit of work is written.
            var first = appended.OrderBy(e => e.StreamVersion).First();
            throw new StreamConcurrencyException(first.StreamId, first.StreamVersion - 1, ex);
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Conventions.Add(_ => new SnakeCaseColumns());

        // SQLite has no date type and EF cannot translate DateTimeOffset comparisons on its text form; as
        // binary ticks they sort and compare (always UTC here). Each provider gets its own cached model.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<EventRecord>(e =>
        {
            e.ToTable("events");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).ValueGeneratedOnAdd();
            e.HasIndex(x => new { x.StreamId, x.StreamVersion }).IsUnique();
        });

        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).ValueGeneratedOnAdd();
            e.HasIndex(x => x.MessageId).IsUnique();
        });

        modelBuilder.Entity<InboxEntry>(e =>
        {
            e.ToTable("inbox");
            e.HasKey(x => new { x.MessageId, x.Consumer });
        });

        modelBuilder.Entity<Changes.ChangeRecord>(e =>
        {
            // The transaction column (tx) is the database's own default: never written from here.
            e.ToTable("change_feed");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).ValueGeneratedOnAdd();
        });

        modelBuilder.Entity<Security.AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).ValueGeneratedOnAdd();
        });

        modelBuilder.Entity<Jobs.JobRecord>(e =>
        {
            e.ToTable("jobs");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            // Every write of a job changes its version: a runner that lost the job cannot write over its new runner.
            e.Property(x => x.Version).IsConcurrencyToken();
        });
    }
}
