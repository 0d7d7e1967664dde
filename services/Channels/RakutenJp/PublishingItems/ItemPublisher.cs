using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.Genres;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenJp.PublishingItems;

/// <summary>Carries out one listing request on RMS and says what happened, as the event to publish. An item that
/// cannot be published — RMS refuses it, or it breaks an RMS rule before it is even sent — is hidden
/// (<c>hideItem</c>) so that no order can be placed for it; publishing it again un-hides it.</summary>
public sealed class ItemPublisher(RmsItemClient items, TimeProvider clock, IConfiguration configuration)
{

    /// <summary>The item a listing writes: the merchant's own when adopted in place, else the platform's <c>v_</c> item.</summary>
    public static string ManageNumberOf(ListingRequested request) =>
        request.Adopted is { Mode: AdoptionMode.InPlace } adopted ? adopted.ItemId.ToLowerInvariant() : RmsItemMapping.ManageNumberFor(request.Product.ProductId);

    /// <param name="genres">The connection's genre mapping: RMS requires a 6-digit genre per item.</param>
    /// <param name="images">The R-Cabinet location of each image address that is uploaded; the others are left out.</param>
    public async Task<object> ApplyAsync(ConnectionRecord connection, RmsCredentials credentials, ListingRequested request, GenreBook genres,
        IReadOnlyDictionary<string, string> images, CancellationToken ct)
    {
        var manageNumber = ManageNumberOf(request);
        if (connection.FlowsPaused)
        {
            return Failed(request, new ChannelError("CONNECTION_PAUSED",
                $"The RMS connection is {connection.Health}: nothing is written until its credentials are fixed; then resync the catalog."), hidden: false);
        }

        if (request.Adopted is { Mode: AdoptionMode.InPlace } adopted)
        {
            return await ApplyAdoptedAsync(connection, credentials, request, adopted, ct);
        }

        if (request.Adopted is { Mode: AdoptionMode.Move } moved && request.Action != ListingAction.Withdraw
            && await HideAsync(connection, credentials, moved.ItemId.ToLowerInvariant(), ct, merchantChose: true) is false)
        {
            // The merchant's item must stop selling before the platform's starts: never both on sale at once.
            throw new HttpRequestException($"RMS did not hide item {moved.ItemId} before the move; the request will be retried.");
        }

        if (request.Action == ListingAction.Withdraw)
        {
            var deleted = await items.DeleteAsync(connection.Id, connection.BaseUrl, credentials, manageNumber, ct);
            return deleted.Ok || deleted.NotFound
                ? new ListingWithdrawn(request.TenantId, request.ConnectionId, request.ListingId, request.Product.ProductId, clock.GetUtcNow())
                : Failed(request, Unexpected(deleted, "delete"), hidden: false);
        }

        var hide = request.Action == ListingAction.Hide;
        if (GenreRules.MetafieldProblem(request.Product) is { } wrongGenre)
        {
            return Failed(request, new ChannelError("RULE_GENRE", wrongGenre), await HideAsync(connection, credentials, manageNumber, ct));
        }

        var draft = RmsItemMapping.Map(request.Product, hide, GenreRules.Choose(request.Product, genres, GenreEndpoints.Fallback(configuration)).GenreId, images);
        if (draft.Refusal is { } rule)
        {
            return Failed(request, rule, await HideAsync(connection, credentials, manageNumber, ct));
        }

        var answer = await items.UpsertAsync(connection.Id, connection.BaseUrl, credentials, manageNumber, draft.Item!, ct);
        if (answer.Ok)
        {
            return new ListingPublished(request.TenantId, request.ConnectionId, request.ListingId, request.Product.ProductId, manageNumber, hide, request.Version, clock.GetUtcNow());
        }

        return Failed(request, Unexpected(answer, "upsert"), answer.Refused ? await HideAsync(connection, credentials, manageNumber, ct) : false);
    }

    /// <summary>An adopted item follows the product's prices and the listing's hidden state; its page (title, description,
    /// images, genre) stays the merchant's. Withdrawing never deletes the merchant's item: it is hidden.</summary>
    private async Task<object> ApplyAdoptedAsync(ConnectionRecord connection, RmsCredentials credentials, ListingRequested request, AdoptedItem adopted, CancellationToken ct)
    {
        var manageNumber = adopted.ItemId.ToLowerInvariant();
        if (request.Action == ListingAction.Withdraw)
        {
            return await HideAsync(connection, credentials, manageNumber, ct, merchantChose: true)
                ? new ListingWithdrawn(request.TenantId, request.ConnectionId, request.ListingId, request.Product.ProductId, clock.GetUtcNow())
                : Failed(request, new ChannelError("HTTP_ERROR", $"RMS did not hide the adopted item {manageNumber}."), hidden: false);
        }

        var read = await items.GetAsync(connection.Id, connection.BaseUrl, credentials, manageNumber, ct);
        if (!read.Ok)
        {
            return Failed(request, read.Status == System.Net.HttpStatusCode.NotFound
                ? new ChannelError("ADOPTED_ITEM_GONE", $"The adopted RMS item {manageNumber} no longer exists: take the onboarding inventory again, then adopt or publish the product anew.")
                : Unexpected(new RmsItemAnswer(read.Status, read.Error), "get"), hidden: false);
        }

        var hide = request.Action == ListingAction.Hide;
        var (patch, refusal) = Onboarding.RmsExistingItems.AdoptedPatch(read.Body!, request.Product, adopted, hide);
        if (refusal is not null)
        {
            return Failed(request, refusal, await HideAsync(connection, credentials, manageNumber, ct, merchantChose: true));
        }

        var answer = await items.PatchAsync(connection.Id, connection.BaseUrl, credentials, manageNumber, patch!, ct, merchantChose: true);
        return answer.Ok
            ? new ListingPublished(request.TenantId, request.ConnectionId, request.ListingId, request.Product.ProductId, manageNumber, hide, request.Version, clock.GetUtcNow())
            : Failed(request, Unexpected(answer, "patch"), answer.Refused && await HideAsync(connection, credentials, manageNumber, ct, merchantChose: true));
    }

    /// <summary>True when nothing can be ordered: the item is now hidden, or RMS has no such item.</summary>
    private async Task<bool> HideAsync(ConnectionRecord connection, RmsCredentials credentials, string manageNumber, CancellationToken ct, bool merchantChose = false)
    {
        var answer = await items.PatchAsync(connection.Id, connection.BaseUrl, credentials, manageNumber, new() { ["hideItem"] = true }, ct, merchantChose);
        return answer.Ok || answer.NotFound;
    }

    /// <summary>RMS's own refusal is kept as it is; anything else that is not worth retrying is named by its status.
    /// Server errors and maintenance (5xx) throw, so the message is retried rather than reported.</summary>
    private static ChannelError Unexpected(RmsItemAnswer answer, string call)
    {
        if ((int)answer.Status >= 500)
        {
            throw new HttpRequestException($"RMS items.{call} answered HTTP {(int)answer.Status}; the request will be retried.", null, answer.Status);
        }

        return answer.Error ?? new ChannelError($"HTTP_{(int)answer.Status}",
            answer.Status == System.Net.HttpStatusCode.Unauthorized
                ? "RMS refused the license key (HTTP 401): renew it on the connection, then resync the catalog."
                : $"RMS items.{call} answered HTTP {(int)answer.Status}.");
    }

    private ListingFailed Failed(ListingRequested request, ChannelError error, bool hidden) =>
        new(request.TenantId, request.ConnectionId, request.ListingId, request.Product.ProductId, error, hidden, request.Version, clock.GetUtcNow());
}
