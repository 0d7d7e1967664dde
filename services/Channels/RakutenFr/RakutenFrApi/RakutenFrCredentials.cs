using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

/// <summary>A Rakuten France seller's credentials: the account name (not the e-mail) and the API token.</summary>
public sealed record RakutenFrCredentials(string Login, string Token)
{
    public override string ToString() => $"RakutenFrCredentials {{ Login = {Login}, Token = {Redact.Secret(Token)} }}";
}
