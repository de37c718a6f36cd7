using System.Diagnostics;
using StackExchange.Redis;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// A <c>redis-server</c> configured as the AppHost's local mode configures it (loopback, password, AOF fsynced on every
/// write), which a test can kill, restart on the same port and data, or freeze.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("spikeapp-reliability-redis-").FullName;
    private readonly string _password = Guid.NewGuid().ToString("N");
    private Process? _process;
    private ConnectionMultiplexer? _connection;

    public int Port { get; } = Ports.FreeLoopbackPort();

    public string ConnectionString => $"127.0.0.1:{Port},password={_password}";

    public Process Process => _process ?? throw new InvalidOperationException("redis-server is not running.");

    /// <summary>The test's own connection, for checking what Redis holds.</summary>
    public IDatabase Database => (_connection ?? throw new InvalidOperationException("Not started.")).GetDatabase();

    public async Task StartAsync()
    {
        var config = Path.Combine(_dataDirectory, "redis.conf");
        await File.WriteAllLinesAsync(config,
        [
            "bind 127.0.0.1",
            $"port {Port}",
            $"requirepass {_password}",
            $"dir {_dataDirectory}",
            "appendonly yes",
            "appendfsync always",
            "save \"\"",
        ]);
        _process = Process.Start(new ProcessStartInfo("redis-server", [config]) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("redis-server did not start.");
        _process.BeginOutputReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            try
            {
                _connection ??= await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",abortConnect=false");
                await _connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    /// <summary>SIGKILL: no shutdown, no final write; only what AOF already fsynced survives.</summary>
    public void Kill()
    {
        Signals.Kill(Process);
        _process!.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            Signals.Kill(_process);
        }

        _process?.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }
}
