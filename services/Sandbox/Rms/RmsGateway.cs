using System.Text;
using System.Text.Json.Nodes;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary>RMS authentication and envelopes (reference/rakuten-jp-rms.md §1, §2).</summary>
public static class RmsGateway
{
    public const string Api = "rms";

    /// <summary><c>Authorization: ESA base64(serviceSecret:licenseKey)</c>; the key must belong to the shop of
    /// that secret and not be past its expiry. Returns the shop id as the account.</summary>
    public static ApiCall.Authenticator Authenticate(SandboxState state, bool orderApi) => http =>
    {
        var refusal = new JsonAnswer(401, Unauthorized(orderApi));
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("ESA ", StringComparison.Ordinal))
        {
            return (null, refusal);
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[4..].Trim()));
        }
        catch (FormatException)
        {
            return (null, refusal);
        }

        var parts = decoded.Split(':', 2);
        if (parts.Length != 2)
        {
            return (null, refusal);
        }

        lock (state.Sync)
        {
            var shop = state.RmsShops.Values.FirstOrDefault(s => s.LicenseKeys.ContainsKey(parts[1]));
            if (shop is null || shop.ServiceSecret != parts[0] || shop.LicenseKeys[parts[1]] <= state.Clock.GetUtcNow())
            {
                return (shop?.ShopId, refusal);
            }

            return (shop.ShopId, null);
        }
    };

    /// <summary>The 401 body. Its exact shape is not public (reference §1.4): these follow the two shapes seen
    /// in practitioners' code — the gateway's <c>Results</c> for the Order API, <c>errors</c> for the REST APIs.</summary>
    public static JsonNode Unauthorized(bool orderApi) => orderApi
        ? new JsonObject { ["Results"] = new JsonObject { ["errorCode"] = "ES04-01", ["message"] = "Unauthorized" } }
        : Errors("CE0001", "Unauthorized: the serviceSecret/licenseKey pair is unknown or the licenseKey has expired.");

    public static JsonObject Errors(string code, string message, string? propertyPath = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (propertyPath is not null)
        {
            error["metadata"] = new JsonObject { ["propertyPath"] = propertyPath };
        }

        return new JsonObject { ["errors"] = new JsonArray(error) };
    }

    /// <summary>Error bodies for gateway-level answers (faults, rate limits, unreadable JSON).</summary>
    public static Func<int, string, JsonNode> GatewayError(bool orderApi, string function) => (status, message) =>
        status == 401 ? Unauthorized(orderApi)
        : orderApi ? Messages(Message("ERROR", $"ORDER_EXT_API_{function}_ERROR_{(status == 429 ? "429" : status == 400 ? "011" : "500")}", message))
        : Errors(status switch { 429 => "GE0429", 400 => "IE0105", 503 => "GE0503", _ => "GE0500" }, message);

    public static JsonObject Message(string type, string code, string message, string? orderNumber = null)
    {
        var m = new JsonObject { ["messageType"] = type, ["messageCode"] = code, ["message"] = message };
        if (orderNumber is not null)
        {
            m["orderNumber"] = orderNumber;
        }

        return m;
    }

    public static JsonObject Messages(params JsonObject[] messages) =>
        new() { ["MessageModelList"] = new JsonArray(messages.Select(JsonNode (m) => m).ToArray()) };

    public static string Jst(DateTimeOffset at) => at.ToOffset(SandboxClock.Jst).ToString("yyyy-MM-dd'T'HH:mm:ss") + "+0900";

    public static string JstIso(DateTimeOffset at) => at.ToOffset(SandboxClock.Jst).ToString("yyyy-MM-dd'T'HH:mm:ss") + "+09:00";
}
