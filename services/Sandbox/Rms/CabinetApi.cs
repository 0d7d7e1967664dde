using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary>A shop's R-Cabinet (image storage): folders and files. <c>Opened</c> is false for a shop whose owner never
/// opened 画像管理 in RMS — CabinetAPI then answers <c>AuthError</c> to everything (reference/rakuten-jp-rms.md A.3).
/// Only the files' descriptions are kept, not their bytes: nothing in the Sandbox serves them back.</summary>
public sealed class RmsCabinet
{
    public bool Opened { get; set; } = true;

    public List<CabinetFolder> Folders { get; init; } = [];

    public List<CabinetFile> Files { get; init; } = [];

    public long NextFolderId { get; set; } = 1001;

    public long NextFileId { get; set; } = 50_000_001;
}

/// <summary>A folder; <c>FolderPath</c> is its directory path under <c>/cabinet</c> without slashes at either end.</summary>
public sealed record CabinetFolder(long FolderId, string FolderName, string FolderPath, int FolderNode, DateTimeOffset CreatedAt);

public sealed class CabinetFile
{
    public required long FileId { get; init; }

    public required long FolderId { get; init; }

    public required string FileName { get; set; }

    /// <summary>The file's name in its URL, with the extension of what is stored (<c>gif</c> or <c>jpg</c>).</summary>
    public required string FilePath { get; init; }

    public required string FileType { get; set; }

    public long FileSize { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>CabinetAPI, the legacy XML API under <c>/es/1.0/cabinet/</c> (reference/rakuten-jp-rms.md A.3, A.7): folders.get,
/// folder.insert and file.insert (multipart: the request XML in part <c>xml</c>, the image in part <c>file</c>). Answers are
/// <c>&lt;result&gt;&lt;status&gt;…&lt;/status&gt;&lt;cabinet…Result&gt;&lt;resultCode&gt;</c>; 1 request a second per shop.
/// The numeric error codes of the real API were not obtained: this imitation answers <c>systemStatus NG</c> with its own
/// codes (3001 a rule of the request, 3002 the file, 3003 the folder) and a message saying which rule.
/// Reads show a change only <see cref="SandboxState.CabinetReadDelay"/> after it (10 s, as RMS documents).</summary>
public static class CabinetApi
{
    public const int MaxBytes = 2 * 1024 * 1024;
    public const int MaxPixels = 3840;

    public static void Map(RouteGroupBuilder rms, SandboxState state)
    {
        rms.MapGet("/es/1.0/cabinet/folders/get", (HttpContext http, CancellationToken _) =>
            Run(http, state, "cabinet.folders.get", "cabinetFoldersGetResult", shop => Folders(state, shop, http.Request.Query)));
        rms.MapPost("/es/1.0/cabinet/folder/insert", async (HttpContext http, CancellationToken ct) =>
        {
            var xml = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync(ct);
            return await Run(http, state, "cabinet.folder.insert", "cabinetFolderInsertResult", shop => InsertFolder(state, shop, xml));
        });
        rms.MapPost("/es/1.0/cabinet/file/insert", async (HttpContext http, CancellationToken ct) =>
        {
            if (!http.Request.HasFormContentType)
            {
                return await Run(http, state, "cabinet.file.insert", "cabinetFileInsertResult", _ => Refused("3001", "the request must be multipart/form-data with parts xml and file"));
            }

            var form = await http.Request.ReadFormAsync(ct);
            var xml = form["xml"].ToString();
            byte[]? bytes = null;
            if (form.Files.GetFile("file") is { } file && file.Length <= MaxBytes)
            {
                bytes = new byte[file.Length];
                await using var stream = file.OpenReadStream();
                await stream.ReadExactlyAsync(bytes, ct);
            }

            var tooLarge = form.Files.GetFile("file") is { Length: > MaxBytes };
            return await Run(http, state, "cabinet.file.insert", "cabinetFileInsertResult", shop => InsertFile(state, shop, xml, bytes, tooLarge));
        });
    }

    /// <summary>What a handler answers: the result element's children, or a refusal.</summary>
    private sealed record Outcome(string? Code, string Message, params XElement[] Result);

    private const string NotOpened = "AuthError";

    private static Outcome Refused(string code, string message) => new(code, message);

    private static Outcome Ok(params XElement[] result) => new(null, "OK", result);

    private static Task<IResult> Run(HttpContext http, SandboxState state, string function, string resultName, Func<RmsShop, Outcome> handle) =>
        new ApiCall(RmsGateway.Api, function).RunAsync(http, state, RmsGateway.Authenticate(state, orderApi: false),
            (status, message) => RmsGateway.Errors(status == 429 ? "GE0429" : "GE0500", message), ("cabinet-api", state.RmsCabinetPerSecond),
            (account, _) =>
            {
                var shop = state.RmsShops[account];
                var outcome = shop.Cabinet.Opened ? handle(shop) : Refused(NotOpened, "AuthError");
                return Results.Text(Envelope(function, resultName, outcome), "text/xml; charset=UTF-8", Encoding.UTF8);
            }, readsBody: false);

    private static string Envelope(string function, string resultName, Outcome outcome)
    {
        var ok = outcome.Code is null;
        var status = new XElement("status",
            new XElement("interfaceId", function),
            new XElement("systemStatus", ok ? "OK" : "NG"),
            new XElement("message", outcome.Message),
            new XElement("requestId", Guid.NewGuid().ToString()),
            new XElement("requests"));
        // A shop that never opened R-Cabinet gets the status alone: there is no result to give.
        var result = outcome.Code == NotOpened ? null : new XElement(resultName, new XElement("resultCode", ok ? "0" : outcome.Code), outcome.Result);
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new XElement("result", status, result).ToString(SaveOptions.DisableFormatting);
    }

    private static Outcome Folders(SandboxState state, RmsShop shop, IQueryCollection query)
    {
        var page = int.TryParse(query["offset"], out var o) ? o : 1;
        var limit = int.TryParse(query["limit"], out var l) ? l : 100;
        if (page < 1) return Refused("3001", "offset is a page number, 1 or more");
        if (limit is < 1 or > 100) return Refused("3001", "limit must be 1 to 100");
        var visible = shop.Cabinet.Folders.Where(f => f.CreatedAt <= state.Clock.GetUtcNow() - state.CabinetReadDelay).OrderBy(f => f.FolderId).ToList();
        var pageOf = visible.Skip((page - 1) * limit).Take(limit).ToList();
        return Ok(
            new XElement("folderAllCount", visible.Count),
            new XElement("folderCount", pageOf.Count),
            new XElement("folders", pageOf.Select(f => new XElement("folder",
                new XElement("FolderId", f.FolderId), new XElement("FolderName", f.FolderName), new XElement("FolderNode", f.FolderNode),
                new XElement("FolderPath", f.FolderPath),
                new XElement("FileCount", shop.Cabinet.Files.Count(x => x.FolderId == f.FolderId)),
                new XElement("FileSize", shop.Cabinet.Files.Where(x => x.FolderId == f.FolderId).Sum(x => x.FileSize) / 1024),
                new XElement("TimeStamp", RmsGateway.Jst(f.CreatedAt))))));
    }

    private static Outcome InsertFolder(SandboxState state, RmsShop shop, string xml)
    {
        if (Request(xml, "folderInsertRequest", "folder") is not { } folder) return Refused("3001", "the body must be <request><folderInsertRequest><folder>…");
        var name = folder.Element("folderName")?.Value.Trim() ?? "";
        var directory = folder.Element("directoryName")?.Value.Trim();
        var upper = folder.Element("upperFolderId")?.Value.Trim();
        if (name.Length == 0) return Refused("3001", "folderName is required");
        if (Encoding.UTF8.GetByteCount(name) > 50) return Refused("3001", "folderName is at most 50 bytes");
        if (directory is { Length: > 0 } && !Regex.IsMatch(directory, "^[a-z0-9_-]{1,20}$")) return Refused("3001", "directoryName is 1 to 20 characters of a-z 0-9 - _");
        CabinetFolder? parent = null;
        if (upper is { Length: > 0 })
        {
            if (!long.TryParse(upper, out var parentId) || parentId == 0) return Refused("3001", "upperFolderId must be an existing folder's id (0, the base folder, cannot be given)");
            parent = shop.Cabinet.Folders.FirstOrDefault(f => f.FolderId == parentId);
            if (parent is null) return Refused("3003", $"upperFolderId {parentId} is not a folder of the shop");
            if (parent.FolderNode >= 3) return Refused("3003", "folders nest at most 3 levels deep");
        }

        var id = shop.Cabinet.NextFolderId++;
        var leaf = directory is { Length: > 0 } ? directory : id.ToString("D8", CultureInfo.InvariantCulture);
        var path = parent is null ? leaf : $"{parent.FolderPath}/{leaf}";
        if (shop.Cabinet.Folders.Any(f => f.FolderPath == path)) return Refused("3003", $"a folder with directoryName {leaf} already exists there");
        shop.Cabinet.Folders.Add(new CabinetFolder(id, name, path, (parent?.FolderNode ?? 0) + 1, state.Clock.GetUtcNow()));
        return Ok(new XElement("FolderId", id));
    }

    private static Outcome InsertFile(SandboxState state, RmsShop shop, string xml, byte[]? bytes, bool tooLarge)
    {
        if (Request(xml, "fileInsertRequest", "file") is not { } file) return Refused("3001", "part xml must be <request><fileInsertRequest><file>…");
        var name = (file.Element("fileName")?.Value ?? "").Replace('\u3000', ' ').Trim();
        var path = file.Element("filePath")?.Value.Trim();
        var overwrite = file.Element("overWrite")?.Value.Trim() is "true";
        if (name.Length == 0) return Refused("3001", "fileName is required and not only spaces");
        if (name.Sum(c => c < 0x80 ? 1 : 2) > 50) return Refused("3001", "fileName is at most 50 bytes (25 full-width characters)");
        if (name.Any(c => c is >= '\uFF61' and <= '\uFF9F')) return Refused("3001", "fileName must not contain half-width katakana");
        if (path is { Length: > 0 })
        {
            if (!Regex.IsMatch(path, "^[a-z0-9_-]{1,20}$")) return Refused("3001", "filePath is 1 to 20 characters of a-z 0-9 - _");
            if (Regex.IsMatch(path, @"^img\d{8}$") || Regex.IsMatch(path, @"^imgrc\d{10}$")) return Refused("3001", "filePath must not look like the generated names img######## or imgrc##########");
        }

        if (!long.TryParse(file.Element("folderId")?.Value.Trim(), out var folderId) || folderId < 0 || folderId > 9_999_999_999) return Refused("3001", "folderId is a folder's id (0 = the base folder)");
        var folder = folderId == 0 ? null : shop.Cabinet.Folders.FirstOrDefault(f => f.FolderId == folderId);
        if (folderId != 0 && folder is null) return Refused("3003", $"folderId {folderId} is not a folder of the shop");
        if (tooLarge) return Refused("3002", "the file is larger than 2 MB");
        if (bytes is null || bytes.Length == 0) return Refused("3002", "part file is missing or empty");
        if (Image(bytes) is not { } image) return Refused("3002", "the file is not a JPG, GIF, PNG, TIFF or BMP image");
        if (image.Width > MaxPixels || image.Height > MaxPixels) return Refused("3002", $"the image is {image.Width}×{image.Height} px; at most {MaxPixels}×{MaxPixels}");

        // PNG, TIFF and BMP are stored as JPG; GIF and JPG as they are.
        var stored = image.Type == "gif" ? "gif" : "jpg";
        var now = state.Clock.GetUtcNow();
        if (path is { Length: > 0 })
        {
            var existing = shop.Cabinet.Files.FirstOrDefault(f => f.FolderId == folderId && f.FilePath == $"{path}.{stored}");
            if (existing is not null)
            {
                if (!overwrite) return Refused("3002", $"a file with filePath {path} already exists in the folder; send overWrite true to replace it");
                existing.FileName = name;
                existing.FileType = stored;
                existing.FileSize = bytes.Length;
                (existing.Width, existing.Height) = (image.Width, image.Height);
                existing.UpdatedAt = now;
                return Ok(new XElement("FileId", existing.FileId));
            }
        }

        var id = shop.Cabinet.NextFileId++;
        shop.Cabinet.Files.Add(new CabinetFile
        {
            FileId = id, FolderId = folderId, FileName = name, FileType = stored, FileSize = bytes.Length, Width = image.Width, Height = image.Height, UpdatedAt = now,
            FilePath = $"{(path is { Length: > 0 } ? path : "img" + (id % 100_000_000).ToString("D8", CultureInfo.InvariantCulture))}.{stored}",
        });
        return Ok(new XElement("FileId", id));
    }

    /// <summary>The image's type and size read from its header; null when it is none of the five types CabinetAPI takes.</summary>
    public static (string Type, int Width, int Height)? Image(byte[] b)
    {
        static int Be16(byte[] b, int i) => (b[i] << 8) | b[i + 1];
        if (b.Length >= 24 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G')
            return ("png", (Be16(b, 16) << 16) | Be16(b, 18), (Be16(b, 20) << 16) | Be16(b, 22));
        if (b.Length >= 10 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8')
            return ("gif", b[6] | (b[7] << 8), b[8] | (b[9] << 8));
        if (b.Length >= 26 && b[0] == 'B' && b[1] == 'M')
            return ("bmp", BitConverter.ToInt32(b, 18), Math.Abs(BitConverter.ToInt32(b, 22)));
        if (b.Length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42)))
            return ("tiff", 0, 0); // the size is deep in an IFD; a TIFF is taken as it is
        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        {
            // The frame header (SOF0–SOF15 but DHT, JPG and DAC) carries the height then the width.
            for (var i = 2; i + 9 < b.Length;)
            {
                if (b[i] != 0xFF) return null;
                var marker = b[i + 1];
                if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                    return ("jpg", Be16(b, i + 7), Be16(b, i + 5));
                i += 2 + Be16(b, i + 2);
            }

            return null;
        }

        return null;
    }

    private static XElement? Request(string xml, string requestName, string itemName)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            var root = XDocument.Load(reader).Root;
            return root?.Name.LocalName == "request" ? root.Element(requestName)?.Element(itemName) : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
