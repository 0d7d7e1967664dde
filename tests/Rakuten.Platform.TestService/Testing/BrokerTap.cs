using System.Collections.Concurrent;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Rakuten.Platform.TestService.Testing;

/// <summary>An independent listener on a message type's exchange: its own exclusive queue, raw RabbitMQ
/// client, no MassTransit. It counts every delivery per message id, so duplicates are visible.</summary>
public sealed class BrokerTap : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;

    private BrokerTap(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public ConcurrentDictionary<string, int> Deliveries { get; } = new();

    public long Received => Interlocked.Read(ref _received);

    private long _received;

    public static async Task<BrokerTap> AttachAsync(string amqpUri, string exchange)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        // Same declaration as MassTransit's publish topology (durable fanout), so whichever side is first wins.
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue.QueueName, exchange, "");
        await channel.BasicQosAsync(0, 1000, false);
        var tap = new BrokerTap(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var id = delivery.BasicProperties.MessageId ?? "(none)";
            tap.Deliveries.AddOrUpdate(id, 1, (_, n) => n + 1);
            Interlocked.Increment(ref tap._received);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return tap;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}
