using System.Net.Http.Headers;
using System.Text;
using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>An RMS shop's credentials. <see cref="ShopUrl"/> is optional: the shop is whatever RMS says the keys belong to,
/// and a URL given here must match it. ToString never shows the secret or the key.</summary>
public sealed record RmsCredentials(string ServiceSecret, string LicenseKey, string? ShopUrl = null)
{
    public override string ToString() => $"RmsCredentials {{ ShopUrl = {ShopUrl}, ServiceSecret = {Redact.Secret(ServiceSecret)}, LicenseKey = {Redact.Secret(LicenseKey)} }}";

    /// <summary><c>Authorization: ESA base64(serviceSecret:licenseKey)</c> (RMS authentication page).</summary>
    public AuthenticationHeaderValue Esa() => new("ESA", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ServiceSecret}:{LicenseKey}")));
}

/// <summary>RMS's order numbers.</summary>
public static class RmsOrderNumbers
{
    /// <summary>An RMS order number: <c>{shop number, 6 digits}-{yyyymmdd}-{sequence}</c> (reference §3.4).</summary>
    public static string? ShopNumberOf(string orderNumber) =>
        orderNumber.Length > 7 && orderNumber[6] == '-' && orderNumber[..6].All(char.IsAsciiDigit) ? orderNumber[..6] : null;
}
