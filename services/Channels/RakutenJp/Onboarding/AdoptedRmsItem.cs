namespace Rakuten.Platform.Channels.RakutenJp.Onboarding;

/// <summary>A merchant's own RMS item (a manage number without <c>v_</c>) that the merchant told the platform to drive:
/// adopted in place (its stock, price and orders are the platform's from now on) or moved to a <c>v_</c> item (it was
/// hidden first, and its past orders still count as the platform's). Recorded before anything is written to it.</summary>
public sealed class AdoptedRmsItem
{
    public required Guid ConnectionId { get; init; }

    public required string ManageNumber { get; init; }

    public required string Mode { get; set; }

    public required DateTimeOffset AdoptedAt { get; set; }
}
