using System.Net;
using System.Text.Json.Nodes;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>How an Items API call ended: done, refused by RMS (its first error, as data), or not answered.</summary>
public sealed record RmsItemAnswer(HttpStatusCode Status, ChannelError? Error)
{
    public bool Ok => (int)Status is >= 200 and < 300;

    public bool NotFound => Status == HttpStatusCode.NotFound;

    /// <summary>RMS looked at the request and said no (4xx with an error envelope): retrying the same request will not help.</summary>
    public bool Refused => Error is not null && (int)Status is >= 400 and < 500 and not 401 and not 404 and not 429;
}

/// <summary>Items API 2.0 (reference/rakuten-jp-rms.md §6): upsert (PUT, full replacement), patch, delete, each
/// through <see cref="RmsClient"/> (the connection's pipeline: rate, retries, circuit). It refuses outright to write any
/// item whose manage number does not begin with <c>v_</c>: those are the merchant's own (seed rule) — unless the caller
/// says the merchant chose to have the platform drive it (<c>merchantChose</c>: an adopted item, or the order button the
/// merchant asked to hide); the choice is recorded by the caller, this client only refuses to write by accident.</summary>
public sealed class RmsItemClient(RmsClient rms)
{
    /// <summary>items.search's largest page.</summary>
    public const int SearchPage = 100;

    public Task<RmsItemAnswer> UpsertAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string manageNumber, JsonObject item, CancellationToken ct) =>
        SendAsync(connectionId, baseUrl, credentials, HttpMethod.Put, manageNumber, item, false, ct);

    public Task<RmsItemAnswer> PatchAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string manageNumber, JsonObject fields, CancellationToken ct,
        bool merchantChose = false) =>
        SendAsync(connectionId, baseUrl, credentials, HttpMethod.Patch, manageNumber, fields, merchantChose, ct);

    public Task<RmsItemAnswer> DeleteAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string manageNumber, CancellationToken ct) =>
        SendAsync(connectionId, baseUrl, credentials, HttpMethod.Delete, manageNumber, null, false, ct);

    /// <summary>items.get: one item as RMS keeps it (an adopted item is read before its prices are changed).</summary>
    public async Task<RmsRestAnswer> GetAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string manageNumber, CancellationToken ct) =>
        RmsRestAnswer.Of(await rms.SendAsync(new RmsCall(connectionId, HttpMethod.Get, "items.get", rms.ItemsApi, Idempotent: true),
            $"{baseUrl.TrimEnd('/')}/es/2.0/items/manage-numbers/{Uri.EscapeDataString(manageNumber)}", credentials, null, ct));

    /// <summary>items.search walked by cursor (reference A.2): <c>*</c> first, then the answer's <c>nextCursorMark</c>;
    /// the walk is over when that comes back equal to the one sent. Same rate as every Items API call.</summary>
    public async Task<RmsRestAnswer> SearchAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, string cursorMark, CancellationToken ct) =>
        RmsRestAnswer.Of(await rms.SendAsync(new RmsCall(connectionId, HttpMethod.Get, "items.search", rms.ItemsApi, Idempotent: true),
            $"{baseUrl.TrimEnd('/')}/es/2.0/items/search?hits={SearchPage}&cursorMark={Uri.EscapeDataString(cursorMark)}", credentials, null, ct));

    private async Task<RmsItemAnswer> SendAsync(Guid connectionId, string baseUrl, RmsCredentials credentials, HttpMethod method,
        string manageNumber, JsonObject? body, bool merchantChose, CancellationToken ct)
    {
        if (!RmsItemMapping.IsManaged(manageNumber) && !merchantChose)
        {
            throw new InvalidOperationException($"Refusing to write RMS item '{manageNumber}': only items whose manage number begins with '{RmsItemMapping.ManagedPrefix}' are managed by the platform.");
        }

        // A PATCH sets the fields it carries to the values given: sending it twice leaves the item the same.
        var call = new RmsCall(connectionId, method, $"items.{method.Method.ToLowerInvariant()}", rms.ItemsApi, Idempotent: true);
        var answer = RmsRestAnswer.Of(await rms.SendAsync(call,
            $"{baseUrl.TrimEnd('/')}/es/2.0/items/manage-numbers/{Uri.EscapeDataString(manageNumber)}", credentials, body, ct));
        return new RmsItemAnswer(answer.Status, answer.Error);
    }
}
