using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>What CabinetAPI answered: the HTTP status, then RMS's <c>systemStatus</c>/<c>message</c> and the function's
/// <c>resultCode</c> (0 = done) with the rest of its result element.</summary>
public sealed record CabinetAnswer(HttpStatusCode Status, string? SystemStatus, string? Message, string? ResultCode, XElement? Result, bool Paused = false)
{
    public bool Ok => (int)Status is >= 200 and < 300 && SystemStatus == "OK" && ResultCode == "0";

    /// <summary>RMS answers AuthError until someone opens 画像管理 in RMS once (reference/rakuten-jp-rms.md A.3).</summary>
    public bool NotOpened => Message == "AuthError";

    /// <summary>Worth trying again later rather than reporting: RMS down, in maintenance, or over its rate.</summary>
    public bool Transient => Paused || (int)Status >= 500 || Status == HttpStatusCode.TooManyRequests;

    public string? Value(string name) => Result?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();

    public string Describe() => (int)Status is >= 200 and < 300
        ? $"R-Cabinet refused it ({(ResultCode is null ? "" : $"resultCode {ResultCode}: ")}{Message ?? SystemStatus ?? "no message"})"
        : $"CabinetAPI answered HTTP {(int)Status}";
}

/// <summary>A folder of the shop's R-Cabinet; <c>Path</c> without slashes at either end.</summary>
public sealed record CabinetFolderInfo(long FolderId, string Name, string Path);

/// <summary>RMS CabinetAPI, the legacy XML API of the shop's image storage (reference/rakuten-jp-rms.md A.3): list folders,
/// create one, upload a file (multipart: the request XML in part <c>xml</c>, the image in part <c>file</c>). About one
/// request a second per shop, counted from the answer.</summary>
public sealed class RmsCabinetClient(RmsClient rms)
{
    public static readonly RateLimit Rate = RateLimit.PerSecond("cabinet", 1, fromAnswer: true);

    /// <summary>One page (from 1) of the shop's folders, 100 a page, and how many there are in all.</summary>
    public async Task<(CabinetAnswer Answer, IReadOnlyList<CabinetFolderInfo> Folders, int Total)> FoldersAsync(
        Guid connectionId, string baseUrl, RmsCredentials credentials, int page, CancellationToken ct)
    {
        var answer = await SendAsync(connectionId, HttpMethod.Get, "cabinet.folders.get", true, $"{Root(baseUrl)}/folders/get?offset={page}&limit=100", credentials, null, ct);
        if (!answer.Ok)
        {
            return (answer, [], 0);
        }

        var folders = answer.Result!.Descendants().Where(e => e.Name.LocalName == "folder").Select(f =>
        {
            string Field(string name) => f.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? "";
            return new CabinetFolderInfo(long.TryParse(Field("FolderId"), out var id) ? id : -1, Field("FolderName"), Field("FolderPath").Trim('/'));
        }).Where(f => f.FolderId >= 0).ToList();
        return (answer, folders, int.TryParse(answer.Value("folderAllCount"), out var total) ? total : folders.Count);
    }

    /// <summary>Creates a top-level folder. Not sent again after a failure: a second folder would be made.</summary>
    public Task<CabinetAnswer> InsertFolderAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string name, string directory, CancellationToken ct)
    {
        var xml = new XElement("request", new XElement("folderInsertRequest", new XElement("folder",
            new XElement("folderName", name), new XElement("directoryName", directory))));
        return SendAsync(connectionId, HttpMethod.Post, "cabinet.folder.insert", false, $"{Root(baseUrl)}/folder/insert", credentials,
            new StringContent(Declared(xml), Encoding.UTF8, "text/xml"), ct);
    }

    /// <summary>Uploads an image under <paramref name="filePath"/>, replacing the file of that path (<c>overWrite</c>), so
    /// sending it again is harmless.</summary>
    public Task<CabinetAnswer> InsertFileAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, long folderId, string fileName, string filePath,
        byte[] bytes, string contentType, CancellationToken ct)
    {
        var xml = new XElement("request", new XElement("fileInsertRequest", new XElement("file",
            new XElement("fileName", fileName), new XElement("folderId", folderId.ToString(CultureInfo.InvariantCulture)),
            new XElement("filePath", filePath), new XElement("overWrite", "true"))));
        var form = new MultipartFormDataContent
        {
            { new StringContent(Declared(xml) + "\r\n", Encoding.UTF8, "text/xml"), "xml" },
        };
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        return SendAsync(connectionId, HttpMethod.Post, "cabinet.file.insert", true, $"{Root(baseUrl)}/file/insert", credentials, form, ct);
    }

    private static string Root(string baseUrl) => $"{baseUrl.TrimEnd('/')}/es/1.0/cabinet";

    private static string Declared(XElement xml) => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + xml.ToString(SaveOptions.DisableFormatting);

    private async Task<CabinetAnswer> SendAsync(Guid connectionId, HttpMethod method, string operation, bool idempotent, string url, RmsCredentials credentials,
        HttpContent? content, CancellationToken ct)
    {
        var response = await rms.SendContentAsync(new RmsCall(connectionId, method, operation, Rate, idempotent), url, credentials, content, ct);
        if (response.Paused || !response.Ok)
        {
            return new CabinetAnswer(response.Status, null, null, null, null, response.Paused);
        }

        try
        {
            using var body = new MemoryStream(Encoding.UTF8.GetBytes(response.Body));
            var document = await SafeXml.LoadAsync(body, ct);
            var status = document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "status");
            string? Status(string name) => status?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
            var result = document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName.EndsWith("Result", StringComparison.Ordinal));
            return new CabinetAnswer(response.Status, Status("systemStatus"), Status("message"),
                result?.Elements().FirstOrDefault(e => e.Name.LocalName == "resultCode")?.Value.Trim(), result);
        }
        catch (XmlException)
        {
            // Not CabinetAPI's XML (a proxy's page, a cut-off body): said as such.
            return new CabinetAnswer(response.Status, null, "the answer was not CabinetAPI XML", null, null);
        }
    }
}
