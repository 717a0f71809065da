using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Prometheus;

namespace DependencyProxy.Events;

/// <summary>An event as published: its id and time are fixed here, so retries and the outbox keep the moment it happened.</summary>
internal sealed record QueuedEvent(Guid Id, DateTime Time, ProxyEvent Event);

/// <summary>
/// The in-memory side of the outbox: <see cref="Publish"/> only appends to a bounded channel, so a pull never waits for
/// the database. A full queue (the database stalled for long) drops the new event with a warning and a metric; a client's
/// request never fails for an event. The outbox writer drains it.
/// </summary>
internal sealed partial class EventQueue : IProxyEvents
{
    private readonly Channel<QueuedEvent> _channel;
    private readonly TimeProvider _time;
    private readonly ILogger<EventQueue> _logger;
    private readonly Counter _dropped;
    private readonly Counter _published;

    public EventQueue(IOptions<WebhookOptions> options, TimeProvider time, ILogger<EventQueue> logger)
    {
        _time = time;
        _logger = logger;
        _channel = Channel.CreateBounded<QueuedEvent>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full queue refuses the new event instead of waiting
            SingleReader = true,
        });
        var factory = Metrics.WithCustomRegistry(Registry);
        _published = factory.CreateCounter("dependency_proxy_events_published_total", "Events queued for the outbox, by type", "type");
        _dropped = factory.CreateCounter("dependency_proxy_events_dropped_total", "Events dropped because the outbox queue was full, by type", "type");
    }

    /// <summary>This server's event metrics, exported on <c>/metrics</c> beside the proxy's own.</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public ChannelReader<QueuedEvent> Reader => _channel.Reader;

    public void Publish(ProxyEvent proxyEvent)
    {
        try
        {
            var queued = new QueuedEvent(Guid.NewGuid(), _time.GetUtcNow().UtcDateTime, proxyEvent);
            if (_channel.Writer.TryWrite(queued))
            {
                _published.WithLabels(proxyEvent.Type).Inc();
                return;
            }

            _dropped.WithLabels(proxyEvent.Type).Inc();
            LogDropped(proxyEvent.Type);
        }
        catch (Exception e)
        {
            // Never the caller's problem: an event is a side note to the work that published it.
            LogPublishFailed(e, proxyEvent.Type);
        }
    }

    /// <summary>No more events: the writer drains what is queued and stops (graceful shutdown).</summary>
    public void Complete() => _channel.Writer.TryComplete();

    [LoggerMessage(EventId = LogEvents.EventDropped, Level = LogLevel.Warning,
        Message = "Event {Type} dropped: the outbox queue is full (is the database slow or down?)")]
    private partial void LogDropped(string type);

    [LoggerMessage(EventId = LogEvents.EventPublishFailed, Level = LogLevel.Warning, Message = "Event {Type} could not be queued")]
    private partial void LogPublishFailed(Exception exception, string type);
}
