using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rakuten.Platform.Channels.RakutenJp.Connecting;

/// <summary>RMS License Management API: <c>GET /es/1.0/license-management/license-key/expiry-date?licenseKey=</c>
/// answers <c>{"expiryDate":"yyyy-MM-ddTHH:mm:ss"}</c> in JST, or 401 for an unknown or expired key.</summary>
public sealed class RmsLicenseClient(IHttpClientFactory http)
{
    public sealed record Expiry(HttpStatusCode Status, DateTimeOffset? ExpiresAt);

    public async Task<Expiry> GetExpiryAsync(string baseUrl, RmsCredentials credentials, CancellationToken ct)
    {
        using var client = http.CreateClient("rms");
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{baseUrl.TrimEnd('/')}/es/1.0/license-management/license-key/expiry-date?licenseKey={Uri.EscapeDataString(credentials.LicenseKey)}");
        request.Headers.Authorization = credentials.Esa();
        using var response = await client.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return new Expiry(response.StatusCode, null);
        }

        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        return body?["expiryDate"]?.GetValue<string>() is { } text
               && DateTime.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new Expiry(response.StatusCode, new DateTimeOffset(local, TimeSpan.FromHours(9)).ToUniversalTime())
            : new Expiry(response.StatusCode, null);
    }
}
