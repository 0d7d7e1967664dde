using System.Xml.Linq;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenFr.Connecting;

/// <summary>Checks a seller with one cheap call (getitemtodolist). Rakuten France answers ISO-8859-1 XML whose
/// namespaces vary by action and version, so the answer is read by local names.</summary>
public sealed class RakutenFrConnector(IHttpClientFactory http) : IChannelConnector<RakutenFrCredentials>
{
    public Channel Channel => Channel.RakutenFr;

    public string DefaultBaseUrl(RakutenFrCredentials credentials) => "https://ws.fr.shopping.rakuten.com";

    public IReadOnlyList<string> Validate(RakutenFrCredentials c)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(c.Login)) errors.Add("credentials.login is required (your Rakuten account name)");
        else if (Text.Problem(c.Login, 1, 100) is { } login) errors.Add($"credentials.login {login}");
        if (string.IsNullOrWhiteSpace(c.Token)) errors.Add("credentials.token is required (Mon compte → Mes informations développeur → Générer un token)");
        else if (Text.Problem(c.Token, 1, 200) is { } token) errors.Add($"credentials.token {token}");
        return errors;
    }

    public async Task<ConnectionCheck> CheckAsync(Uri baseUrl, RakutenFrCredentials c, CancellationToken ct)
    {
        var root = baseUrl.ToString().TrimEnd('/');
        using var client = http.CreateClient("rakuten-fr");
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"{root}/sales_ws?action=getitemtodolist&login={Uri.EscapeDataString(c.Login)}&pwd={Uri.EscapeDataString(c.Token)}&version=2011-09-01");
            using var response = await client.SendAsync(request.AsProbe(), ct);
            var document = await SafeXml.LoadAsync(await response.Content.ReadAsStreamAsync(ct), ct);
            var rootName = document.Root?.Name.LocalName;
            if (rootName == "getitemtodolistresult")
            {
                return ConnectionCheck.Ok(c.Login);
            }

            if (rootName != "errorresponse")
            {
                return Unavailable(root, $"unexpected answer <{rootName}> (HTTP {(int)response.StatusCode})");
            }

            var code = Local(document, "code");
            var message = Local(document, "message");
            return code switch
            {
                // Rakuten wants the account name; an e-mail is refused like a wrong password (Channable's guide).
                "InvalidUserConnection" when c.Login.Contains('@') => ConnectionCheck.Refused(
                    $"Rakuten France refused the login '{c.Login}': it is an e-mail address.",
                    "Use your Rakuten account name (pseudo), not your e-mail, with the token from Mon compte → Mes informations développeur."),
                "InvalidUserConnection" => ConnectionCheck.Refused(
                    "Rakuten France refused the login or the token (InvalidUserConnection).",
                    "Check the account name and generate a new token under Mon compte → Mes informations développeur."),
                "InvalidUserRights" => ConnectionCheck.Refused(
                    $"Rakuten France refused the call: {message} (InvalidUserRights).",
                    "Order and stock web services need a Professional seller account; if the hourly quota is exceeded, try again next hour."),
                _ => Unavailable(root, $"{code}: {message}"),
            };
        }
        catch (Exception ex) when (ConnectionCheck.Unreached(ex, ct))
        {
            return ConnectionCheck.Unanswered(Channel);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Xml.XmlException)
        {
            return Unavailable(root, ex.Message);
        }
    }

    private static string Local(XDocument document, string name) =>
        document.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? "";

    private static ConnectionCheck Unavailable(string root, string reason) =>
        ConnectionCheck.NoAnswer($"Rakuten France could not check the credentials at {root}: {reason}.", "Check the base URL and try again later.");
}
