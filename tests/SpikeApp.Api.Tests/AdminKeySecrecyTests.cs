using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.Api.Tests;

/// <summary>The admin key must never reach a log line or a span, whether it was right or a guess.</summary>
[Collection(SharedRedis.Name)]
public sealed class AdminKeySecrecyTests(RedisServerFixture redis) : IDisposable
{
    private const string WrongKey = "guessed-key-9f8e7d6c5b4a";
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private ActivityListener? _listener;

    [Fact]
    public async Task TheAdminKeyAppearsInNoLogAndNoSpan()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        await using var host = new ApiHost(redis, total: 3, logs: _logs, settings: new Dictionary<string, string?>
        {
            // Everything a misconfigured production might log.
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        });
        var client = await host.StartAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var key in new[] { ApiHost.AdminKey, WrongKey })
        {
            statuses.Add((await HttpContractTests.ResetAsync(client, host.SaleId, total: 5, key)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Unauthorized], statuses);
        Assert.NotEmpty(_logs.Lines);
        Assert.Contains(_spans, span => span.Kind == ActivityKind.Server && span.DisplayName.Contains("PUT", StringComparison.Ordinal));
        foreach (var secret in new[] { ApiHost.AdminKey, WrongKey })
        {
            Assert.DoesNotContain(_logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(_spans, span => SpanText(span).Contains(secret, StringComparison.Ordinal));
        }
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _logs.Dispose();
    }

    private static string SpanText(Activity span) => string.Join('\n',
        new[] { span.DisplayName, span.OperationName, span.StatusDescription ?? "" }
            .Concat(span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"))
            .Concat(span.Baggage.Select(item => $"{item.Key}={item.Value}"))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(tag => $"{e.Name} {tag.Key}={tag.Value}"))));

    /// <summary>Keeps every log line, its state and its exception as text.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"{category} scope {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(pair => $"{pair.Key}={pair.Value}")) : "";
                lines.Enqueue($"{category} {logLevel} {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
