using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpikeApp.Store;
using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

/// <summary>
/// The real API in this process, on Kestrel at a loopback port, against the test's <see cref="RedisServerProcess"/>.
/// Each host gets its own default sale unless told otherwise; replicas never create a sale, so the host creates it as
/// the order processor would.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";

    static ApiHost()
    {
        // Every host in this process would watch its settings files (appsettings, user secrets) with an inotify instance
        // of its own, and the user's limit (128) is shared by the whole run; a test that needs a reload adds its own file.
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
    }

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, string?> _settings;
    private readonly ILoggerProvider? _logs;
    private readonly string? _settingsFile;
    private readonly RedisServerProcess _redis;
    private readonly int _total;
    private readonly int _replicas;
    private readonly DateTimeOffset? _opensAt;
    private readonly DateTimeOffset? _closesAt;
    private readonly TimeProvider? _clock;

    /// <param name="replicas">How many replicas share the sale, this one included: the others are members Redis knows that never sell.</param>
    public ApiHost(RedisServerProcess redis, string? saleId = null, int total = 10, int replicas = 1, double bufferRatio = 0, string replicaId = "replica-test",
        IReadOnlyDictionary<string, string?>? settings = null, ILoggerProvider? logs = null, string? settingsFile = null,
        DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null, TimeProvider? clock = null)
    {
        _opensAt = opensAt;
        _closesAt = closesAt;
        _clock = clock;
        _settingsFile = settingsFile;
        SaleId = saleId ?? "s-" + Guid.NewGuid().ToString("N")[..12];
        _logs = logs;
        _redis = redis;
        _total = total;
        _replicas = replicas;
        _settings = new()
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Spike:DefaultSale:Id"] = SaleId,
            ["Spike:DefaultSale:Total"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Disposing a host stops it: a drain there would only slow every test down.
            ["Spike:Shutdown:Drain"] = "00:00:00",
            ["Spike:BufferRatio"] = bufferRatio.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Spike:ReplicaId"] = replicaId,
            ["Spike:AdminKey"] = AdminKey,
        };
        foreach (var (key, value) in TestBuyers.Settings)
        {
            _settings[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    public string SaleId { get; }

    /// <summary>
    /// Creates the default sale unless Redis has it, makes the other replicas members of it, starts the host and waits
    /// until <c>/health</c> says the sale is loaded (and so sized from the membership).
    /// </summary>
    public async Task<HttpClient> StartAsync()
    {
        var client = await StartUnreadyAsync();
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while ((await client.GetAsync("/health", timeout.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(50, timeout.Token);
        }

        return client;
    }

    /// <summary>
    /// Creates the default sale unless Redis has it, makes the other replicas members of it and starts the host, without
    /// waiting for <c>/health</c>.
    /// </summary>
    public async Task<HttpClient> StartUnreadyAsync()
    {
        await new RedisSaleStore(_redis.Connection, ReadyTimeout).BeginAsync(SaleId, _total, expectedEpoch: null, opensAt: _opensAt, closesAt: _closesAt);
        await SaleMembers.JoinAsync(_redis.Connection.GetDatabase(), SaleId, _replicas - 1);
        StartServer();
        var client = CreateClient();
        return client.BaseAddress is { Host: "127.0.0.1" } ? client
            : throw new InvalidOperationException($"Expected a real Kestrel server on loopback, got {client.BaseAddress}.");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_clock is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(_clock));
        }

        if (_logs is not null)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(_logs));
        }

        if (_settingsFile is not null)
        {
            // Watched, as a mounted secret is: the test rewrites it and the host reloads without a restart.
            builder.ConfigureAppConfiguration(configuration => configuration.AddJsonFile(_settingsFile, optional: false, reloadOnChange: true));
        }
    }
}
