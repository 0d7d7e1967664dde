using System.Net;
using System.Text.Json.Nodes;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>How an RMS 2.0 REST call (Items, Inventory) ended: its status, its JSON body, and RMS's first error as
/// data with the property it names — <c>{"errors":[{"code","message","metadata":{"propertyPath"}}]}</c>.</summary>
public sealed record RmsRestAnswer(HttpStatusCode Status, JsonObject? Body, ChannelError? Error, string? PropertyPath)
{
    public bool Ok => (int)Status is >= 200 and < 300;

    public static RmsRestAnswer Of(RmsResponse response)
    {
        var json = response.Json();
        if (json?["errors"] is JsonArray { Count: > 0 } errors && errors[0] is JsonObject first)
        {
            var path = first["metadata"]?["propertyPath"]?.GetValue<string>();
            var message = first["message"]?.GetValue<string>() ?? "";
            return new RmsRestAnswer(response.Status, json,
                new ChannelError(first["code"]?.GetValue<string>() ?? "UNKNOWN", path is null ? message : $"{message} ({path})"), path);
        }

        return new RmsRestAnswer(response.Status, json, null, null);
    }
}
