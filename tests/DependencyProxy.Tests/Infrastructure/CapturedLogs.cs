using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>Every log line the app writes, formatted with its exception, so tests can search them.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentDictionary<int, int> _events = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public string All => string.Join('\n', _lines);

    /// <summary>How many times an event (by its id in LogEvents) was logged so far.</summary>
    public int Count(int eventId) => _events.TryGetValue(eventId, out var count) ? count : 0;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines, _events);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines, ConcurrentDictionary<int, int> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            events.AddOrUpdate(eventId.Id, 1, (_, count) => count + 1);
        }
    }
}
