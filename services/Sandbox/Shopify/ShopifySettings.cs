namespace Rakuten.Platform.Sandbox.Shopify;

/// <summary>The GraphQL cost bucket (reference §B.2: 100 points/s restore on Standard; the bucket size is read
/// at run time by clients, 2000 here) and how throttling answers (200 + THROTTLED, or 429 + Retry-After).</summary>
public sealed class ShopifySettings
{
    public double BucketSize { get; set; } = 2000;

    public double RestoreRate { get; set; } = 100;

    public bool ThrottleWith429 { get; set; }

    public WebhookSettings Webhooks { get; } = new();
}
