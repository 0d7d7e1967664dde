namespace Rakuten.Platform.BuildingBlocks.Messaging;

/// <summary><c>ConnectionStrings:RabbitMq</c> (<c>amqp://user:password@host:port/vhost</c>) read once, for the bus and for
/// the management API the queue gauges call with the same credentials. No user means RabbitMQ's guest.</summary>
public sealed record RabbitMqAddress(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    public static RabbitMqAddress Parse(string connectionString)
    {
        var broker = new Uri(connectionString);
        var user = broker.UserInfo.Split(':', 2);
        return new RabbitMqAddress(
            broker.Host,
            (ushort)(broker.IsDefaultPort ? 5672 : broker.Port),
            broker.AbsolutePath.Trim('/') is { Length: > 0 } vhost ? Uri.UnescapeDataString(vhost) : "/",
            Uri.UnescapeDataString(user[0] is { Length: > 0 } u ? u : "guest"),
            Uri.UnescapeDataString(user.Length > 1 ? user[1] : "guest"));
    }
}
