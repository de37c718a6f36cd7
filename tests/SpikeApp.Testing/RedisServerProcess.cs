using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using StackExchange.Redis;

namespace SpikeApp.Testing;

/// <summary>
/// A real <c>redis-server</c> owned by a test: loopback only, a free port, a generated password, a throw-away data
/// folder deleted on dispose. A fault test can kill it, start it again on the same port and data, or suspend it.
/// </summary>
public class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly string[] AppendOnlyFsyncedOnEveryWrite = ["appendonly yes", "appendfsync always"];
    private static readonly string[] NoAppendOnlyFile = ["appendonly no"];

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("spikeapp-test-redis-").FullName;
    private readonly string _password = Guid.NewGuid().ToString("N");
    private readonly bool _appendOnly;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;
    private ConnectionMultiplexer? _connection;

    /// <param name="appendOnly">
    /// Keep an AOF fsynced on every write, as the AppHost's local mode does, so that exactly what was acknowledged
    /// survives <see cref="Kill"/>. Without it nothing touches the disk.
    /// </param>
    public RedisServerProcess(bool appendOnly = false) => _appendOnly = appendOnly;

    public int Port { get; } = LoopbackPorts.FindFree();

    /// <summary>What the code under test connects with.</summary>
    public string ConnectionString => ConnectionStringThrough(Port);

    /// <summary>The same server reached through another port, e.g. a <see cref="LoopbackProxy"/> in front of it.</summary>
    public string ConnectionStringThrough(int port) => $"127.0.0.1:{port},password={_password}";

    /// <summary>The test's own connection, admin commands allowed; it outlives a kill and reconnects once the server is back.</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("redis-server was never started.");

    public IDatabase Database => Connection.GetDatabase();

    public IServer Server => Connection.GetServer("127.0.0.1", Port);

    /// <summary>Where the server keeps its AOF: a test may copy it away and put an older copy back, as a restore would.</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>Starts redis-server, or starts it again after <see cref="Kill"/> on the same port and data, and waits until it answers.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        var config = Path.Combine(_dataDirectory, "redis.conf");
        await File.WriteAllLinesAsync(config,
        [
            "bind 127.0.0.1",
            $"port {Port}",
            $"requirepass {_password}",
            $"dir {_dataDirectory}",
            "save \"\"",
            .. _appendOnly ? AppendOnlyFsyncedOnEveryWrite : NoAppendOnlyFile,
        ]);

        try
        {
            _process = Process.Start(new ProcessStartInfo("redis-server", [config]) { RedirectStandardOutput = true, RedirectStandardError = true })
                ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not on PATH: install it (apt-get install -y redis-server).", ex);
        }

        // Kept to explain a failed start; reading both pipes also keeps a chatty server from blocking on a full one.
        _process.OutputDataReceived += (_, line) => _output.Enqueue(line.Data ?? "");
        _process.ErrorDataReceived += (_, line) => _output.Enqueue(line.Data ?? "");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} while starting:\n{string.Join('\n', _output)}");
            }

            try
            {
                _connection ??= await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true,abortConnect=false");
                await _connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    /// <summary>SIGKILL: no shutdown, no final write; only what the AOF already fsynced survives.</summary>
    public void Kill()
    {
        ProcessSignals.Kill(RunningProcess);
        _process!.Dispose();
        _process = null;
    }

    /// <summary>Deletes everything the stopped server kept, so the next <see cref="StartAsync"/> starts it empty, as a lost disk would.</summary>
    public void DeleteData()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("Stop redis-server before deleting its data.");
        }

        foreach (var entry in new DirectoryInfo(_dataDirectory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    /// <summary>SIGSTOP: the server freezes with its sockets open, so clients wait for it instead of failing fast.</summary>
    public Task SuspendAsync() => ProcessSignals.SuspendAsync(RunningProcess);

    /// <summary>SIGCONT: the server wakes and runs the commands that queued up while it was suspended.</summary>
    public Task ResumeAsync() => ProcessSignals.ResumeAsync(RunningProcess);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            // SIGKILL also ends a suspended server.
            ProcessSignals.Kill(_process);
        }

        _process?.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    private Process RunningProcess => _process ?? throw new InvalidOperationException("redis-server is not running.");
}
