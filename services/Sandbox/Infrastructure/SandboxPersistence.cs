using System.Text.Json;
using System.Text.Json.Serialization;
using Rakuten.Platform.Sandbox.RakutenFr;
using Rakuten.Platform.Sandbox.Rms;
using Rakuten.Platform.Sandbox.Shopify;

namespace Rakuten.Platform.Sandbox.Infrastructure;

/// <summary>The marketplaces' accounts, items, offers, products and orders as a file (<c>Sandbox:StateFile</c>; the embedded
/// Host keeps it in its data folder): read before anything runs, so a restarted demo finds its shops and the orders it
/// already imported instead of connections answering Unauthorized; written a second after a change and on a clean stop.
/// Rate windows, faults, the call log and the clock's offset are a run's, and start afresh.</summary>
public sealed class SandboxPersistence(SandboxState state, string file, ILogger<SandboxPersistence> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Options = new()
    {
        IncludeFields = true, // the value tuples of Shopify's decremented levels and fulfilment lines
        Converters = { new TupleKeyDictionaries() },
    };

    private long _saved;

    /// <summary>The state the file holds, put into <paramref name="state"/>; false when there is no file yet.</summary>
    public static bool Load(SandboxState state, string file)
    {
        if (!File.Exists(file))
        {
            return false;
        }

        var snapshot = JsonSerializer.Deserialize<Snapshot>(File.ReadAllBytes(file), Options)
                       ?? throw new InvalidDataException($"The Sandbox state file {file} is empty: delete it to start the Sandbox afresh.");
        lock (state.Sync)
        {
            foreach (var (id, shop) in snapshot.RmsShops) state.RmsShops[id] = shop;
            foreach (var (login, seller) in snapshot.FrSellers) state.FrSellers[login] = seller;
            foreach (var (name, shop) in snapshot.ShopifyShops) state.ShopifyShops[name] = shop;
            foreach (var (ean, product) in snapshot.FrCatalogue ?? []) state.FrCatalogue[ean] = product;
            state.NextShopifyId = Math.Max(state.NextShopifyId, snapshot.NextShopifyId);
            state.NextFrId = Math.Max(state.NextFrId, snapshot.NextFrId);
        }

        return true;
    }

    /// <summary>Writes the state if it changed since the last write: to a temporary file renamed over the old one, so a
    /// crash mid-write leaves the previous state whole.</summary>
    public void Save()
    {
        byte[] bytes;
        long version;
        lock (state.Sync)
        {
            version = state.Version;
            if (version == Interlocked.Read(ref _saved))
            {
                return;
            }

            bytes = JsonSerializer.SerializeToUtf8Bytes(new Snapshot(state.RmsShops, state.FrSellers, state.ShopifyShops, state.NextShopifyId, state.NextFrId, state.FrCatalogue), Options);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var temporary = file + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, file, overwrite: true);
        Interlocked.Exchange(ref _saved, version);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    Save();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    logger.LogWarning(e, "The Sandbox could not write its state to {File}; it tries again in a second", file);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes the last state.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Save();
    }

    private sealed record Snapshot(
        Dictionary<string, RmsShop> RmsShops, Dictionary<string, FrSeller> FrSellers, Dictionary<string, ShopifyShop> ShopifyShops, long NextShopifyId, long NextFrId,
        Dictionary<string, FrCatalogueProduct>? FrCatalogue = null);

    /// <summary>Dictionaries keyed by a value tuple (RMS inventory by manage number and variant, Shopify levels by item and
    /// location), which JSON objects cannot key: written as a list of key/value pairs.</summary>
    private sealed class TupleKeyDictionaries : JsonConverterFactory
    {
        public override bool CanConvert(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)
            && type.GetGenericArguments()[0].FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true;

        public override JsonConverter CreateConverter(Type type, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(PairList<,>).MakeGenericType(type.GetGenericArguments()))!;

        private sealed class PairList<TKey, TValue> : JsonConverter<Dictionary<TKey, TValue>>
            where TKey : notnull
        {
            public override Dictionary<TKey, TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
                JsonSerializer.Deserialize<List<KeyValuePair<TKey, TValue>>>(ref reader, options)!.ToDictionary(p => p.Key, p => p.Value);

            public override void Write(Utf8JsonWriter writer, Dictionary<TKey, TValue> value, JsonSerializerOptions options) =>
                JsonSerializer.Serialize(writer, value.ToList(), options);
        }
    }
}
