using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenJp.Connecting;

/// <summary>Checks an RMS shop: the license expiry-date endpoint (the key is valid, and until when), shopMaster (which
/// shop the keys belong to: its URL code names the connection), and one Order API search over the last 63 days (the
/// order functions are enabled for the key; the first order number found gives the shop's number, its prefix).</summary>
public sealed class RmsConnector(RmsLicenseClient license, RmsShopClient shop, RmsOrderClient orders, TimeProvider clock) : IChannelConnector<RmsCredentials>
{
    public string? SecretFingerprint(RmsCredentials credentials) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("rms-service-secret:" + credentials.ServiceSecret))).ToLowerInvariant();

    public Channel Channel => Channel.RakutenJp;

    public string DefaultBaseUrl(RmsCredentials credentials) => "https://api.rms.rakuten.co.jp";

    public IReadOnlyList<string> Validate(RmsCredentials c)
    {
        var errors = new List<string>();
        // RMS: serviceSecret and licenseKey are each at most 50 characters (reference §1.1).
        foreach (var (field, value) in new[] { ("serviceSecret", c.ServiceSecret), ("licenseKey", c.LicenseKey) })
        {
            if (Text.Problem(value, 1, 50) is { } problem) errors.Add($"credentials.{field} {problem}");
        }

        if (c.ShopUrl is not null && Text.Problem(c.ShopUrl, 1, 50) is { } url) errors.Add($"credentials.shopUrl {url}");
        return errors;
    }

    public async Task<ConnectionCheck> CheckAsync(Uri baseUrl, RmsCredentials c, CancellationToken ct)
    {
        var root = baseUrl.ToString().TrimEnd('/');
        try
        {
            var expiry = await license.GetExpiryAsync(null, root, c, ct, probe: true);
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

            var master = await shop.GetAsync(null, root, c, ct);
            if (master.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return ConnectionCheck.Refused(
                    $"RMS accepted the license key but refused ShopAPI shop.shopMaster.get (HTTP {(int)master.Status}): the platform reads the shop's URL from it to know which shop the keys belong to.",
                    "In RMS, enable ShopAPI shop.shopMaster.get for the key (利用機能編集), then connect again.");
            }

            if (master.Url is not { } shopUrl)
            {
                return Unavailable(root, $"shopMaster answered HTTP {(int)master.Status}{(master.ResultCode is null ? "" : $" ({master.ResultCode})")} without the shop's URL");
            }

            if (c.ShopUrl is { } typed && !typed.Trim().Equals(shopUrl, StringComparison.OrdinalIgnoreCase))
            {
                return ConnectionCheck.Refused(
                    $"These keys belong to the RMS shop '{shopUrl}', not to '{typed.Trim()}'.",
                    "Use the serviceSecret and licenseKey of the shop you mean to connect, or leave shopUrl out.");
            }

            // A 429 (the Order API allows about one request a second per shop) is waited out by the pipeline.
            var order = await SearchOrderAsync(root, c, ct);

            if (order.Status == HttpStatusCode.Unauthorized)
            {
                return ConnectionCheck.Refused(
                    "RMS accepted the license key but refused the RakutenPay Order API (HTTP 401): the order functions are not enabled for this key.",
                    "In RMS, enable rpay.order.searchOrder, getOrder, confirmOrder, updateOrderShipping and cancelOrder for the key (利用機能編集).");
            }

            if (!order.Ok)
            {
                return Unavailable(root, $"searchOrder answered HTTP {(int)order.Status}");
            }

            // The shop's number shows only in its order numbers; a shop with no order in 63 days gets it from its first one.
            var number = (order.Body!["orderNumberList"] as System.Text.Json.Nodes.JsonArray ?? [])
                .Select(n => n?.GetValue<string>() is { } text ? RmsOrderNumbers.ShopNumberOf(text) : null).FirstOrDefault(n => n is not null);
            return ConnectionCheck.Ok(shopUrl, expiresAt, number);
        }
        catch (Exception ex) when (ConnectionCheck.Unreached(ex, ct))
        {
            return ConnectionCheck.Unanswered(Channel);
        }
        catch (HttpRequestException ex)
        {
            return Unavailable(root, ex.Message);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            // An answer in a shape RMS does not give (a field of another type, not JSON): nothing is known of the keys.
            return Unavailable(root, "its answer was not in the shape RMS gives");
        }
    }

    private static readonly int[] EveryProgress = [100, 200, 300, 400, 500, 600, 700, 800, 900];

    private Task<RmsAnswer> SearchOrderAsync(string root, RmsCredentials c, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // RMS searches at most 63 days at once (a minute less: the end is rounded up to the second).
        return orders.SearchOrderAsync(null, root, c, now.AddDays(-63).AddMinutes(1), now, 1, EveryProgress, ct, probe: true);
    }

    private static ConnectionCheck Unavailable(string root, string reason) =>
        ConnectionCheck.NoAnswer($"RMS could not check the credentials at {root}: {reason}.", "Check the base URL and try again; RMS may be in a maintenance window.");
}
