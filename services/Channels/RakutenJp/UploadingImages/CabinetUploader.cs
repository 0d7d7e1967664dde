using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.UploadingImages;

/// <summary>Puts a listing's images into the shop's R-Cabinet before the item is written, so the item references files
/// that exist. Each image address is uploaded once per connection (kept in <c>cabinet_files</c>); the platform's files
/// live in one folder it creates (<c>Platform:RakutenJp:CabinetFolder</c>, <c>shopify</c>). An image that cannot be
/// uploaded — not on Shopify's CDN, over 2 MB, not an image, refused by R-Cabinet — is left out of the item and its reason
/// kept for the merchant (<c>GET …/connections/{id}/images</c>); the next publication of the product tries it again.
/// RMS being down or over its rate throws, so the listing is retried whole.</summary>
public sealed class CabinetUploader(RmsCabinetClient cabinet, IHttpClientFactory http, OutboundPolicy outbound, IConfiguration configuration,
    TimeProvider clock, ILogger<CabinetUploader> logger)
{
    public const string Downloads = "cabinet-image-source";

    // One upload round per connection at a time: the folder is created once, and R-Cabinet's one-a-second rate is shared.
    private static readonly ConcurrentDictionary<Guid, SemaphoreSlim> Rounds = new();

    private string FolderDirectory => configuration.GetValue("Platform:RakutenJp:CabinetFolder", "shopify")!;

    /// <summary>The R-Cabinet location of each of the listing's images that is there (uploading those that are not yet).</summary>
    public async Task<IReadOnlyDictionary<string, string>> EnsureAsync(RakutenJpDbContext db, ConnectionRecord connection, RmsCredentials credentials,
        ListingRequested request, CancellationToken ct)
    {
        var urls = CabinetImages.Wanted(request);
        if (urls.Count == 0 || connection.FlowsPaused)
        {
            return new Dictionary<string, string>();
        }

        var round = Rounds.GetOrAdd(connection.Id, _ => new SemaphoreSlim(1, 1));
        await round.WaitAsync(ct);
        try
        {
            var rows = await db.CabinetFiles.Where(f => f.ConnectionId == connection.Id && urls.Contains(f.SourceUrl)).ToListAsync(ct);
            var locations = rows.Where(r => r.Location is not null).ToDictionary(r => r.SourceUrl, r => r.Location!, StringComparer.Ordinal);
            var missing = urls.Where(u => !locations.ContainsKey(u)).ToList();
            if (missing.Count == 0)
            {
                return locations;
            }

            var (folder, folderError) = await FolderAsync(db, connection, credentials, ct);
            foreach (var url in missing)
            {
                var row = rows.FirstOrDefault(r => r.SourceUrl == url);
                if (row is null)
                {
                    db.CabinetFiles.Add(row = new CabinetFileRow { ConnectionId = connection.Id, SourceUrl = url, FilePath = CabinetImages.FilePath(url) });
                }

                var (location, fileId, error) = folderError is not null ? (null, null, folderError) : await UploadAsync(connection, credentials, folder!, url, ct);
                (row.Location, row.FileId, row.ErrorCode, row.Error, row.AttemptedAt) = (location, fileId, error?.Code, error?.Message, clock.GetUtcNow());
                row.UploadedAt = location is null ? null : row.AttemptedAt;
                // Kept image by image: an upload done is never done again because a later one failed.
                await db.SaveChangesAsync(ct);
                if (location is not null)
                {
                    locations[url] = location;
                }
                else
                {
                    logger.LogWarning("R-Cabinet image for listing {Listing} left out: {Code} {Reason}", request.ListingId, error!.Code, error.Message);
                }
            }

            db.ChangeTracker.Clear();
            return locations;
        }
        finally
        {
            round.Release();
        }
    }

    private sealed record Problem(string Code, string Message);

    /// <summary>The platform's folder: as recorded, else found among the shop's folders, else created.</summary>
    private async Task<(CabinetFolderRow? Folder, Problem? Error)> FolderAsync(RakutenJpDbContext db, ConnectionRecord connection, RmsCredentials credentials, CancellationToken ct)
    {
        if (await db.CabinetFolders.AsNoTracking().FirstOrDefaultAsync(f => f.ConnectionId == connection.Id, ct) is { } known)
        {
            return (known, null);
        }

        for (var page = 1; ; page++)
        {
            var (answer, folders, total) = await cabinet.FoldersAsync(connection.Id, connection.BaseUrl, credentials, page, ct);
            if (!answer.Ok)
            {
                return (null, Refusal(answer, "cabinet.folders.get"));
            }

            if (folders.FirstOrDefault(f => f.Path == FolderDirectory) is { } found)
            {
                return (await RecordAsync(found.FolderId, found.Path), null);
            }

            if (folders.Count == 0 || page * 100 >= total)
            {
                break;
            }
        }

        var inserted = await cabinet.InsertFolderAsync(connection.Id, connection.BaseUrl, credentials, "Shopify (Rakuten.Platform)", FolderDirectory, ct);
        return inserted.Ok && long.TryParse(inserted.Value("FolderId"), out var id)
            ? (await RecordAsync(id, FolderDirectory), null)
            : (null, Refusal(inserted, "cabinet.folder.insert"));

        async Task<CabinetFolderRow> RecordAsync(long folderId, string path)
        {
            var row = new CabinetFolderRow { ConnectionId = connection.Id, FolderId = folderId, FolderPath = path };
            db.CabinetFolders.Add(row);
            await db.SaveChangesAsync(ct);
            return row;
        }
    }

    private async Task<(string? Location, long? FileId, Problem? Error)> UploadAsync(ConnectionRecord connection, RmsCredentials credentials,
        CabinetFolderRow folder, string url, CancellationToken ct)
    {
        var (bytes, problem) = await DownloadAsync(url, ct);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        if (CabinetImages.Sniff(bytes) is not { } image)
        {
            return (null, null, new Problem("IMAGE_TYPE", "The file is not a JPG, PNG, GIF, TIFF or BMP image, which is all R-Cabinet takes: replace it in Shopify."));
        }

        var filePath = CabinetImages.FilePath(url);
        var answer = await cabinet.InsertFileAsync(connection.Id, connection.BaseUrl, credentials, folder.FolderId, CabinetImages.FileName(url), filePath,
            bytes, image.ContentType, ct);
        return answer.Ok && long.TryParse(answer.Value("FileId"), out var fileId)
            ? (CabinetImages.Location(folder.FolderPath, filePath, image.Type), fileId, null)
            : (null, null, Refusal(answer, "cabinet.file.insert"));
    }

    /// <summary>The image's bytes, at most 2 MB, from Shopify's CDN (or an allowed origin) only.</summary>
    private async Task<(byte[] Bytes, Problem? Error)> DownloadAsync(string url, CancellationToken ct)
    {
        var source = new Problem("IMAGE_SOURCE", $"The image could not be downloaded from {Shown(url)}: the platform takes images from Shopify's CDN (cdn.shopify.com); check the image in Shopify, then publish again.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !outbound.IsImageSource(uri))
        {
            return ([], source);
        }

        using var client = http.CreateClient(Downloads);
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                return ([], source with { Message = $"{Shown(url)} answered HTTP {(int)response.StatusCode}: check the image in Shopify, then publish again." });
            }

            if (response.Content.Headers.ContentLength > CabinetImages.MaxBytes)
            {
                return ([], TooLarge(response.Content.Headers.ContentLength.Value));
            }

            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > CabinetImages.MaxBytes)
                {
                    return ([], TooLarge(null));
                }
            }

            return (buffer.ToArray(), null);
        }
        catch (HttpRequestException)
        {
            // Refused by the outbound policy, or the CDN unreachable: the same answer, without detail about the network.
            return ([], source);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return ([], source with { Message = $"{Shown(url)} did not answer in time; the next publication of the product tries again." });
        }

        static Problem TooLarge(long? size) => new("IMAGE_TOO_LARGE",
            $"The image is {(size is { } s ? $"{s / 1024 / 1024.0:0.0} MB" : "over 2 MB")}; R-Cabinet takes at most 2 MB: make it smaller in Shopify, then publish again.");
    }

    /// <summary>The address as the merchant may be shown it: without its query.</summary>
    private static string Shown(string url) => url.Split('?', 2)[0];

    private static Problem Refusal(CabinetAnswer answer, string call)
    {
        if (answer.Transient)
        {
            throw new HttpRequestException($"RMS {call} answered HTTP {(int)answer.Status}; the listing will be retried.", null, answer.Status);
        }

        if (answer.NotOpened)
        {
            return new Problem("CABINET_NOT_OPENED", "R-Cabinet answered AuthError: open 店舗設定 > 画像・動画登録 > 画像管理 in RMS once, then publish the product again.");
        }

        return answer.Status == HttpStatusCode.Unauthorized
            ? new Problem("CABINET_REFUSED", "RMS refused the license key for CabinetAPI (HTTP 401): enable CabinetAPI for the key in RMS (利用機能編集) or renew the key.")
            : new Problem("CABINET_REFUSED", $"{call}: {answer.Describe()}.");
    }
}

/// <summary>One image address of a connection: where it is in R-Cabinet, or why it is not.</summary>
public sealed class CabinetFileRow
{
    public required Guid ConnectionId { get; init; }

    public required string SourceUrl { get; init; }

    public required string FilePath { get; init; }

    public string? Location { get; set; }

    public long? FileId { get; set; }

    public string? ErrorCode { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset AttemptedAt { get; set; }

    public DateTimeOffset? UploadedAt { get; set; }
}

/// <summary>The R-Cabinet folder the platform keeps a connection's images in.</summary>
public sealed class CabinetFolderRow
{
    public required Guid ConnectionId { get; init; }

    public required long FolderId { get; init; }

    public required string FolderPath { get; init; }
}
