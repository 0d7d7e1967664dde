using System.Globalization;
using System.Net;
using Rakuten.Platform.Channels.RakutenJp.Rms;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>RMS License Management API: <c>GET /es/1.0/license-management/license-key/expiry-date?licenseKey=</c>
/// answers <c>{"expiryDate":"yyyy-MM-ddTHH:mm:ss"}</c> in JST, or 401 for an unknown or expired key.</summary>
public sealed class RmsLicenseClient(RmsClient rms)
{
    public sealed record Expiry(HttpStatusCode Status, DateTimeOffset? ExpiresAt);

    /// <param name="probe">A connection check: RMS's answer now, not retried.</param>
    public async Task<Expiry> GetExpiryAsync(Guid? connectionId, string baseUrl, RmsCredentials credentials, CancellationToken ct, bool probe = false)
    {
        var response = await rms.SendAsync(new RmsCall(connectionId, HttpMethod.Get, "license-management.expiry-date", null, Idempotent: true, probe),
            $"{baseUrl.TrimEnd('/')}/es/1.0/license-management/license-key/expiry-date?licenseKey={Uri.EscapeDataString(credentials.LicenseKey)}", credentials, null, ct);
        if (!response.Ok)
        {
            return new Expiry(response.Status, null);
        }

        return response.Json()?["expiryDate"]?.GetValue<string>() is { } text
               && DateTime.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new Expiry(response.Status, new DateTimeOffset(local, TimeSpan.FromHours(9)).ToUniversalTime())
            : new Expiry(response.Status, null);
    }
}
