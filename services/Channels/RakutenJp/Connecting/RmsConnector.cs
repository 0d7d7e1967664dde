using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenJp.Connecting;

/// <summary>An RMS shop's credentials. ToString never shows the secret or the key.</summary>
public sealed record RmsCredentials(string ServiceSecret, string LicenseKey, string ShopUrl)
{
    public override string ToString() => $"RmsCredentials {{ ShopUrl = {ShopUrl}, ServiceSecret = {Redact.Secret(ServiceSecret)}, LicenseKey = {Redact.Secret(LicenseKey)} }}";

    /// <summary><c>Authorization: ESA base64(serviceSecret:licenseKey)</c> (RMS authentication page).</summary>
    public AuthenticationHeaderValue Esa() => new("ESA", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ServiceSecret}:{LicenseKey}")));
}

/// <summary>Checks an RMS shop: the license expiry-date endpoint (the key is valid, and until when) and one
/// cheap Order API call (the order functions are enabled for the key).</summary>
public sealed class RmsConnector(RmsLicenseClient license, RmsOrderClient orders, TimeProvider clock) : IChannelConnector<RmsCredentials>
{
    public Channel Channel => Channel.RakutenJp;

    public string DefaultBaseUrl(RmsCredentials credentials) => "https://api.rms.rakuten.co.jp";

    public IReadOnlyList<string> Validate(RmsCredentials c)
    {
        var errors = new List<string>();
        // RMS: serviceSecret and licenseKey are each at most 50 characters.
        foreach (var (field, value) in new[] { ("serviceSecret", c.ServiceSecret), ("licenseKey", c.LicenseKey), ("shopUrl", c.ShopUrl) })
        {
            if (string.IsNullOrWhiteSpace(value)) errors.Add($"credentials.{field} is required");
            else if (value.Length > 50) errors.Add($"credentials.{field} must be at most 50 characters (it has {value.Length})");
        }

        return errors;
    }

    public async Task<ConnectionCheck> CheckAsync(Uri baseUrl, RmsCredentials c, CancellationToken ct)
    {
        var root = baseUrl.ToString().TrimEnd('/');
        try
        {
            var expiry = await license.GetExpiryAsync(root, c, ct);
            if (expiry.Status == HttpStatusCode.Unauthorized)
            {
                return ConnectionCheck.Refused(
                    "RMS refused the serviceSecret / licenseKey pair (HTTP 401): one of them is wrong, or the license key has expired.",
                    "Copy both from RMS (店舗様向け情報・サービス → WEB APIサービス → 利用設定); if the key has expired, issue a new one there.");
            }

            if (expiry.ExpiresAt is not { } expiresAt)
            {
                return Unavailable(root, $"the license expiry-date endpoint answered HTTP {(int)expiry.Status} without an expiryDate");
            }

            var order = await SearchOrderAsync(root, c, ct);
            if (order == HttpStatusCode.TooManyRequests)
            {
                // The Order API allows about one request a second per shop: wait that second once.
                await Task.Delay(TimeSpan.FromSeconds(1.1), clock, ct);
                order = await SearchOrderAsync(root, c, ct);
            }

            if (order == HttpStatusCode.Unauthorized)
            {
                return ConnectionCheck.Refused(
                    "RMS accepted the license key but refused the RakutenPay Order API (HTTP 401): the order functions are not enabled for this key.",
                    "In RMS, enable rpay.order.searchOrder, getOrder, confirmOrder, updateOrderShipping and cancelOrder for the key (利用機能編集).");
            }

            return order == HttpStatusCode.OK
                ? ConnectionCheck.Ok(c.ShopUrl, expiresAt)
                : Unavailable(root, $"searchOrder answered HTTP {(int)order}");
        }
        catch (HttpRequestException ex)
        {
            return Unavailable(root, ex.Message);
        }
    }

    private async Task<HttpStatusCode> SearchOrderAsync(string root, RmsCredentials c, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return (await orders.SearchOrderAsync(root, c, now.AddDays(-1), now, 1, [100], ct)).Status;
    }

    private static ConnectionCheck Unavailable(string root, string reason) =>
        ConnectionCheck.NoAnswer($"RMS could not check the credentials at {root}: {reason}.", "Check the base URL and try again; RMS may be in a maintenance window.");
}
