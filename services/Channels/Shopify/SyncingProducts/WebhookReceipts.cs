using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary>Stores webhook deliveries before their 200, many to a commit: the deliveries that arrive while one commit
/// is under way go together in the next (group commit). Each request still waits for the commit that holds its
/// delivery, so nothing is acknowledged before it is stored. A transaction per delivery — its round trips and its
/// commit — made the receipt the ceiling of a burst of stock changes.</summary>
public sealed class WebhookReceipts(IServiceScopeFactory scopes, ILogger<WebhookReceipts> logger) : BackgroundService
{
    /// <summary>The most deliveries in one commit.</summary>
    private const int MaxPerCommit = 500;

    private readonly Channel<Receipt> _queue = Channel.CreateUnbounded<Receipt>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Receipt(WebhookDelivery Delivery, TaskCompletionSource<bool> Stored);

    /// <summary>True once the delivery is committed; false when its event id was already stored (Shopify sent it
    /// again). Throws what the commit threw: the request answers 500 and Shopify sends it again.</summary>
    public Task<bool> StoreAsync(WebhookDelivery delivery)
    {
        var receipt = new Receipt(delivery, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(receipt))
        {
            throw new InvalidOperationException("The service is stopping: the webhook was not stored");
        }

        return receipt.Stored.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var round = new List<Receipt>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (round.Count < MaxPerCommit && _queue.Reader.TryRead(out var receipt))
                {
                    round.Add(receipt);
                }

                await CommitAsync(round, stoppingToken);
                round.Clear();
            }
        }
        finally
        {
            // Stopping: whatever is still waiting was not stored, and its request must not answer 200.
            _queue.Writer.TryComplete();
            foreach (var receipt in round.Concat(Drain()))
            {
                receipt.Stored.TrySetException(new OperationCanceledException("The service stopped before the webhook was stored"));
            }
        }
    }

    private IEnumerable<Receipt> Drain()
    {
        while (_queue.Reader.TryRead(out var receipt))
        {
            yield return receipt;
        }
    }

    private async Task CommitAsync(IReadOnlyList<Receipt> round, CancellationToken ct)
    {
        try
        {
            await InsertNewAsync(round, ct);
        }
        catch (DbUpdateException ex) when (round.Count > 1)
        {
            // Another replica stored one of these event ids between the look-up and the insert, or one delivery cannot
            // be stored (a body PostgreSQL refuses): one at a time, so that only that one is answered as a duplicate or
            // with an error, and the others of the round are stored.
            logger.LogDebug(ex, "A round of {Count} webhooks could not be stored together; storing them one at a time", round.Count);
            foreach (var receipt in round)
            {
                await CommitAsync([receipt], ct);
            }
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, "webhook_deliveries"))
        {
            round[0].Stored.TrySetResult(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "{Count} Shopify webhooks could not be stored; they are answered with an error and Shopify sends them again", round.Count);
            foreach (var receipt in round)
            {
                receipt.Stored.TrySetException(ex);
            }
        }
    }

    private async Task InsertNewAsync(IReadOnlyList<Receipt> round, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
        var ids = round.Select(r => r.Delivery.EventId).Distinct().ToList();
        var known = (await db.WebhookDeliveries.Where(d => ids.Contains(d.EventId)).Select(d => d.EventId).ToListAsync(ct)).ToHashSet();
        var stored = new List<Receipt>();
        var duplicates = new List<Receipt>();
        foreach (var receipt in round)
        {
            // Known already, or the same event twice in this round (a duplicate sent at once): stored once.
            if (known.Add(receipt.Delivery.EventId))
            {
                db.WebhookDeliveries.Add(receipt.Delivery);
                stored.Add(receipt);
            }
            else
            {
                duplicates.Add(receipt);
            }
        }

        await db.SaveChangesAsync(ct);
        stored.ForEach(r => r.Stored.TrySetResult(true));
        duplicates.ForEach(r => r.Stored.TrySetResult(false));
    }
}

/// <summary>The live Shopify connections' webhook secrets and shop domains, held in memory and read again in one query at
/// most every <see cref="RefreshMilliseconds"/>: a delivery for a connection id nobody knows, or with a bad signature,
/// costs no database read of its own — however many an attacker sends, the table is read at most once a second. A
/// connection added in this process is known at once; one added by another replica within the second after a refresh;
/// a rotated secret at the first delivery it signs after the next refresh (Shopify retries a refused delivery).</summary>
public sealed class WebhookSecrets(IServiceScopeFactory scopes) : IConnectionAdded<ShopifyDbContext>
{
    // Measured on the machine's monotonic clock, not the platform's TimeProvider: how long a cache entry lives has
    // nothing to do with business time (which tests freeze).
    private const long LifetimeMilliseconds = 5_000;
    private const long RefreshMilliseconds = 1_000;

    public sealed record Known(string Secret, string Domain);

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile Dictionary<Guid, Known> _known = [];
    private long _readAt = long.MinValue / 2;

    /// <summary>Another refresh at the next delivery: a connection was just added here.</summary>
    public void Added(ConnectionRecord connection) => Interlocked.Exchange(ref _readAt, long.MinValue / 2);

    /// <summary>Whether <paramref name="connectionId"/> is a live Shopify connection (as of the last refresh).</summary>
    public async Task<bool> KnowsAsync(Guid connectionId, CancellationToken ct)
    {
        if (Age > LifetimeMilliseconds || (!_known.ContainsKey(connectionId) && Age > RefreshMilliseconds))
        {
            await RefreshAsync(ct);
        }

        return _known.ContainsKey(connectionId);
    }

    /// <summary>The connection whose secret signed <paramref name="body"/>, or null. A signature that fails against the
    /// secret held is tried once more after a refresh, if the last one is more than a second old (a rotated secret).</summary>
    public async Task<Known?> VerifyAsync(Guid connectionId, byte[] body, string signature, CancellationToken ct)
    {
        if (_known.TryGetValue(connectionId, out var known) && ProductWebhooks.Verify(body, signature, known.Secret))
        {
            return known;
        }

        if (Age <= RefreshMilliseconds)
        {
            return null;
        }

        await RefreshAsync(ct);
        return _known.TryGetValue(connectionId, out known) && ProductWebhooks.Verify(body, signature, known.Secret) ? known : null;
    }

    private long Age => Environment.TickCount64 - Interlocked.Read(ref _readAt);

    private async Task RefreshAsync(CancellationToken ct)
    {
        var seenBefore = Interlocked.Read(ref _readAt);
        await _refreshing.WaitAsync(ct);
        try
        {
            if (Interlocked.Read(ref _readAt) != seenBefore)
            {
                return; // another request refreshed while this one waited
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
            var secrets = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>();
            var rows = await db.Connections.AsNoTracking().Where(c => c.RemovedAt == null)
                .Select(c => new { c.Id, c.ExternalId, c.ProtectedCredentials }).ToListAsync(ct);
            _known = rows.ToDictionary(r => r.Id, r => new Known(secrets.Unprotect<ShopifyCredentials>(r.ProtectedCredentials).WebhookSecret, r.ExternalId));
            Interlocked.Exchange(ref _readAt, Environment.TickCount64);
        }
        finally
        {
            _refreshing.Release();
        }
    }
}
