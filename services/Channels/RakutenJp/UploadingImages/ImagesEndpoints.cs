using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.Channels.RakutenJp.UploadingImages;

/// <summary>One product image of a connection: its R-Cabinet location once uploaded, or why it is left out of the items
/// (<c>ErrorCode</c>: IMAGE_SOURCE, IMAGE_TOO_LARGE, IMAGE_TYPE, CABINET_NOT_OPENED, CABINET_REFUSED) and what to do.</summary>
public sealed record CabinetImageView(string SourceUrl, string Status, string? Location, long? FileId, string? ErrorCode, string? Error,
    DateTimeOffset AttemptedAt, DateTimeOffset? UploadedAt);

public static class ImagesEndpoints
{
    public static void MapImages(this RouteGroupBuilder api)
    {
        // What reached R-Cabinet and what did not: ?failed=true for the images left out of the items.
        api.MapGet("/connections/{id:guid}/images", async (Guid id, bool? failed, Caller caller, RakutenJpDbContext db, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: false, tracked: false, ct);
            var rows = db.CabinetFiles.AsNoTracking().Where(f => f.ConnectionId == id);
            if (failed is { } onlyFailed)
            {
                rows = onlyFailed ? rows.Where(f => f.Location == null) : rows.Where(f => f.Location != null);
            }

            var list = await rows.OrderBy(f => f.SourceUrl).Take(5000).ToListAsync(ct);
            return Results.Ok(list.Select(f => new CabinetImageView(f.SourceUrl, f.Location is null ? "failed" : "uploaded", f.Location, f.FileId,
                f.ErrorCode, f.Error, f.AttemptedAt, f.UploadedAt)).ToList());
        }).Produces<List<CabinetImageView>>();
    }
}
