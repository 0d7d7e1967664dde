using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary>The merchant's "import products" as a job: every product and stock level read again from Shopify, a page per
/// transaction with the job's progress (done of Shopify's product count) and the next page's cursor.</summary>
public sealed class ProductImportJob(IServiceScopeFactory scopes, ProductImport import) : IJobHandler<ShopifyDbContext>
{
    public const string Kind = "products.import";

    string IJobHandler<ShopifyDbContext>.Kind => Kind;

    public async Task<string> RunAsync(JobRun run, CancellationToken ct)
    {
        await ConnectionJobs.RequireUsableAsync<ShopifyDbContext>(scopes, run, "import", ct);
        var result = await import.ImportAsync(run.TargetId, ct, run);
        var deleted = result.Deleted is { } count
            ? $"{count} found deleted in Shopify"
            : "deletions in Shopify are checked by the next hourly reconciliation (this import was resumed after a restart)";
        return $"{result.Read} product(s) read from Shopify; {result.Handed} new or changed handed to the catalog; {deleted}.";
    }
}
