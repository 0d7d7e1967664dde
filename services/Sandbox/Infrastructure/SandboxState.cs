using Rakuten.Platform.Sandbox.RakutenFr;
using Rakuten.Platform.Sandbox.Rms;
using Rakuten.Platform.Sandbox.Shopify;

namespace Rakuten.Platform.Sandbox.Infrastructure;

/// <summary>All of the Sandbox's in-memory state. Deterministic given <c>Sandbox:Seed</c>: every random draw
/// (fault rates, generated ids) comes from one seeded source.</summary>
public sealed class SandboxState
{
    public SandboxState(int seed)
    {
        Random = new Random(seed);
        Clock = new SandboxClock();
        Calls = new CallLog();
        Limits = new RateLimits(Clock);
        Faults = new Faults(Random);
    }

    private long _version;

    /// <summary>Guards every marketplace's data: the Sandbox favours being simple and exact over being fast.</summary>
    public object Sync { get; } = new();

    /// <summary>Grows with every call answered (any of them may have changed something): what <see cref="SandboxPersistence"/> writes after.</summary>
    public long Version => Interlocked.Read(ref _version);

    public void Changed() => Interlocked.Increment(ref _version);

    public Random Random { get; }

    public SandboxClock Clock { get; }

    public CallLog Calls { get; }

    public RateLimits Limits { get; }

    public Faults Faults { get; }

    public Dictionary<string, RmsShop> RmsShops { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, FrSeller> FrSellers { get; } = new(StringComparer.Ordinal);

    public FrSettings Fr { get; } = new();

    /// <summary>Rakuten France's product catalogue, by EAN-13: an advert is created on one of its products (reference F.2).</summary>
    public Dictionary<string, FrCatalogueProduct> FrCatalogue { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ShopifyShop> ShopifyShops { get; } = new(StringComparer.Ordinal);

    public ShopifySettings Shopify { get; } = new();

    /// <summary>Numeric ids behind the Shopify imitation's gid://shopify/… ids.</summary>
    public long NextShopifyId { get; set; } = 7_000_000_001;

    /// <summary>Ids handed out by the Rakuten France imitation (purchases, items, adverts, imports).</summary>
    public long NextFrId { get; set; } = 500_000_001;

    /// <summary>RMS publishes no Order API rate; practitioners keep to about 1 request/s (reference §3.8).</summary>
    public int RmsOrderApiPerSecond { get; set; } = 1;

    /// <summary>RMS publishes no Items API rate either (reference §6); the Sandbox assumes 5 requests/s per shop.</summary>
    public int RmsItemsApiPerSecond { get; set; } = 5;

    /// <summary>CabinetAPI: "about 1 request a second" (reference A.3).</summary>
    public int RmsCabinetPerSecond { get; set; } = 1;

    /// <summary>CabinetAPI reads show a change at least 10 s after it (reference A.3).</summary>
    public TimeSpan CabinetReadDelay { get; set; } = TimeSpan.FromSeconds(10);
}
