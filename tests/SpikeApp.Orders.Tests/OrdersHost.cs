using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace SpikeApp.Orders.Tests;

/// <summary>
/// The real order processor in this process (any of its public types names its entry point), over the test's
/// <see cref="RedisServerProcess"/> and <see cref="PostgresServerProcess"/>, so a test reads its API and listens to its
/// telemetry.
/// </summary>
public sealed class OrdersHost : WebApplicationFactory<OrdersTelemetry>
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, string?> _settings;
    private readonly ILoggerProvider? _logs;

    /// <param name="logs">Also hears the processor's logs, at the levels the settings let through.</param>
    public OrdersHost(RedisServerProcess redis, PostgresServerProcess postgres, IReadOnlyDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        _logs = logs;
        _settings = new()
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["ConnectionStrings:ordersdb"] = postgres.ConnectionString,
            // Its warnings and errors only: the background loops log every batch and check at Information.
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    /// <summary>Starts the processor and waits until <c>/health</c> answers 200: it has migrated the orders schema.</summary>
    public async Task<HttpClient> StartAsync()
    {
        var client = CreateClient();
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while ((await client.GetAsync(new Uri("/health", UriKind.Relative), timeout.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(50, timeout.Token);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_logs is not null)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(_logs));
        }
    }
}
