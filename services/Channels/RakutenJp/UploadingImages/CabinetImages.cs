using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.UploadingImages;

/// <summary>What R-Cabinet takes and how the platform names what it uploads, as pure functions
/// (reference/rakuten-jp-rms.md A.3: cabinet.file.insert limits).</summary>
public static class CabinetImages
{
    /// <summary>cabinet.file.insert refuses files over 2 MB.</summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    /// <summary>An RMS item takes at most 20 images.</summary>
    public const int MaxImages = 20;

    /// <summary>The images a listing needs in R-Cabinet: the product's (up to 20) and its variants', each once. None for an
    /// item adopted in place (its page stays the merchant's) or one being withdrawn.</summary>
    public static IReadOnlyList<string> Wanted(ListingRequested request)
    {
        if (request.Action == ListingAction.Withdraw || request.Adopted is { Mode: AdoptionMode.InPlace })
        {
            return [];
        }

        return request.Product.ImageUrls.Take(MaxImages)
            .Concat(request.Product.Variants.Select(v => v.ImageUrl).OfType<string>())
            .Where(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The file's name in its R-Cabinet URL (<c>filePath</c>: ≤ 20 of <c>a-z 0-9 - _</c>, never <c>img########</c>):
    /// <c>s</c> and 19 base-36 digits of a hash of the image's address without its query. Shopify changes only the
    /// <c>?v=</c> of a replaced image, so the new version overwrites the old file and items keep their location.</summary>
    public static string FilePath(string url)
    {
        var address = url.Split('?', 2)[0];
        var hash = new BigInteger(SHA256.HashData(Encoding.UTF8.GetBytes(address)), isUnsigned: true, isBigEndian: true);
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var text = new StringBuilder("s");
        for (var i = 0; i < 19; i++)
        {
            text.Append(digits[(int)(hash % 36)]);
            hash /= 36;
        }

        return text.ToString();
    }

    /// <summary>The name shown in R-Cabinet (<c>fileName</c>, ≤ 50 bytes): the Shopify file's name in plain ASCII.</summary>
    public static string FileName(string url)
    {
        var name = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Path.GetFileName(Uri.UnescapeDataString(uri.AbsolutePath)) : "";
        var safe = new string(name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(50).ToArray());
        return safe.Trim('.').Length == 0 ? "image" : safe;
    }

    /// <summary>An image's type by its first bytes (what R-Cabinet takes: JPG, GIF, PNG, TIFF, BMP), with the type to send it
    /// as; null for anything else, whatever its name says.</summary>
    public static (string Type, string ContentType)? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ("jpg", "image/jpeg");
        if (b.Length >= 8 && b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return ("png", "image/png");
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8))) return ("gif", "image/gif");
        if (b.Length >= 4 && (b[..4].SequenceEqual("II*\0"u8) || b[..4].SequenceEqual("MM\0*"u8))) return ("tiff", "image/tiff");
        if (b.Length >= 2 && b[0] == 'B' && b[1] == 'M') return ("bmp", "image/bmp");
        return null;
    }

    /// <summary>Where an item references the file (<c>images[].location</c>, the path after <c>/cabinet</c>): R-Cabinet keeps
    /// GIFs as they are and stores every other type as a JPG, so the extension follows.</summary>
    public static string Location(string folderPath, string filePath, string type) =>
        $"/{folderPath.Trim('/')}/{filePath}.{(type == "gif" ? "gif" : "jpg")}";
}
