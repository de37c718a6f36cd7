using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace SpikeApp.Api.Tests;

/// <summary>
/// A real <c>redis-server</c> owned by the tests: loopback only, a free port, a throw-away data folder,
/// killed and deleted on dispose.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("spikeapp-test-redis-").FullName;
    private Process? _process;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port},allowAdmin=true";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Port = FreeLoopbackPort();
        var startInfo = new ProcessStartInfo("redis-server",
            ["--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", _dataDirectory, "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        try
        {
            _process = Process.Start(startInfo) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not on PATH: install it (apt-get install -y redis-server).", ex);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
                await Connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    public IServer Server => Connection.GetServer("127.0.0.1", Port);

    /// <summary>Calls per command from INFO commandstats, e.g. <c>["evalsha"] = 12</c>.</summary>
    public async Task<Dictionary<string, long>> CommandCallsAsync()
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await Server.InfoAsync("commandstats"))
        {
            foreach (var entry in group)
            {
                // cmdstat_evalsha: calls=12,usec=...
                var name = entry.Key.Replace("cmdstat_", "", StringComparison.Ordinal);
                var callsField = entry.Value.Split(',')[0];
                calls[name] = long.Parse(callsField["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class SharedRedis : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
