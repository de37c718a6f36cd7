using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace SpikeApp.Testing;

/// <summary>
/// A real PostgreSQL server owned by a test: the machine's Debian <c>postgresql</c> binaries, a fresh cluster in a
/// throw-away folder, 127.0.0.1 only, a free port, a generated password, fsync on. PostgreSQL refuses to run as root,
/// so as root it runs as the package's <c>postgres</c> user. A fault test can kill it and start it again on the same data.
/// </summary>
public sealed class PostgresServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("spikeapp-test-postgres-").FullName;
    private readonly string _password = Guid.NewGuid().ToString("N");
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public int Port { get; } = LoopbackPorts.FindFree();

    public const string Database = "orders";

    /// <summary>What the code under test connects with: the <see cref="Database"/> database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password={_password};Database={Database}";

    private string DataDirectory => Path.Combine(_folder, "data");

    /// <summary>Creates the cluster and the database on the first start; afterwards starts the server on the same data.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("postgres is already running.");
        }

        var bin = FindBinaries();
        var initialize = !Directory.Exists(DataDirectory);
        if (initialize)
        {
            var passwordFile = Path.Combine(_folder, "password");
            await File.WriteAllTextAsync(passwordFile, _password);
            GiveToServerUser(_folder);
            await RunToEndAsync(Path.Combine(bin, "initdb"), ["-D", DataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}", "--no-sync"]);
            File.Delete(passwordFile);
        }

        _process = Process.Start(AsServerUser(Path.Combine(bin, "postgres"),
            ["-D", DataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1",
             "-c", $"unix_socket_directories={_folder}", "-c", "fsync=on", "-c", "synchronous_commit=on"]))
            ?? throw new InvalidOperationException("postgres did not start.");
        _process.OutputDataReceived += (_, line) => _output.Enqueue(line.Data ?? "");
        _process.ErrorDataReceived += (_, line) => _output.Enqueue(line.Data ?? "");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with {_process.ExitCode} while starting:\n{string.Join('\n', _output)}");
            }

            try
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync(timeout.Token);
                if (initialize)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
                    await create.ExecuteNonQueryAsync(timeout.Token);
                }

                return;
            }
            catch (NpgsqlException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    /// <summary>SIGKILL to the server and its children: no shutdown, only what was committed (and fsynced) survives.</summary>
    public void Kill()
    {
        ProcessSignals.Kill(_process ?? throw new InvalidOperationException("postgres is not running."));
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            ProcessSignals.Kill(_process);
        }

        _process?.Dispose();
        NpgsqlConnection.ClearAllPools();
        await Task.Yield();
        Directory.Delete(_folder, recursive: true);
    }

    private static string FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => bin, StringComparer.Ordinal)
                .FirstOrDefault() ?? throw new InvalidOperationException("No initdb under /usr/lib/postgresql: install it (apt-get install -y postgresql).")
            : throw new InvalidOperationException("PostgreSQL is not installed: apt-get install -y postgresql.");

    private static bool IsRoot => Environment.UserName == "root";

    private static ProcessStartInfo AsServerUser(string executable, IEnumerable<string> arguments)
    {
        var start = IsRoot
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", executable, .. arguments])
            : new ProcessStartInfo(executable, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return start;
    }

    private static void GiveToServerUser(string folder)
    {
        if (IsRoot)
        {
            using var chown = Process.Start("chown", ["-R", "postgres:postgres", folder])!;
            chown.WaitForExit();
        }
    }

    private static async Task RunToEndAsync(string executable, IEnumerable<string> arguments)
    {
        using var process = Process.Start(AsServerUser(executable, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(executable)} failed with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }
}
