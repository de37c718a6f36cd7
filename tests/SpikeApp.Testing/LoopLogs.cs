using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SpikeApp.Testing;

/// <summary>
/// What a host's background loops logged about their failures (SpikeApp.Store's LoopHealth): one entry per line, by loop
/// and by what it said. Give it to a host as a logger provider.
/// </summary>
public sealed class LoopLogs : ILoggerProvider
{
    public const string Failing = "LogFailing";
    public const string StillFailing = "LogStillFailing";
    public const string Recovered = "LogRecovered";

    private readonly ConcurrentQueue<(string Loop, string Event)> _entries = new();

    /// <summary>How many lines <paramref name="loop"/> logged of <paramref name="logEvent"/> (<see cref="Failing"/>, ...).</summary>
    public int Count(string loop, string logEvent) => _entries.Count(entry => entry.Loop == loop && entry.Event == logEvent);

    public ILogger CreateLogger(string categoryName) => new LoopLogger(_entries);

    public void Dispose()
    {
    }

    private sealed class LoopLogger(ConcurrentQueue<(string Loop, string Event)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> values && values.FirstOrDefault(value => value.Key == "Loop").Value is string loop)
            {
                entries.Enqueue((loop, eventId.Name ?? ""));
            }
        }
    }
}
