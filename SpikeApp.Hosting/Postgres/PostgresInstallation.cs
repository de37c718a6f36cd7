using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SpikeApp.Hosting.Servers;

namespace SpikeApp.Hosting.Postgres;

/// <summary>
/// The PostgreSQL server executables of this machine, and the account they run under: <c>initdb</c> and
/// <c>postgres</c> refuse to run as root, so as root both run as the package's <c>postgres</c> user (through
/// <c>runuser</c>) on folders that user owns.
/// </summary>
internal sealed partial class PostgresInstallation
{
    public const string ServiceUser = "postgres";

    private PostgresInstallation(string binDirectory, string? runUser)
    {
        BinDirectory = binDirectory;
        RunUser = runUser;
    }

    public string BinDirectory { get; }

    public string InitDb => Path.Combine(BinDirectory, ExecutableName("initdb"));

    public string Server => Path.Combine(BinDirectory, ExecutableName("postgres"));

    /// <summary><c>runuser</c> when this process is root (initdb and postgres then run as <see cref="ServiceUser"/>), else null.</summary>
    public string? RunUser { get; }

    /// <summary>The newest server under /usr/lib/postgresql/&lt;version&gt;/bin (Debian, Ubuntu), else the one on PATH; null when there is none.</summary>
    public static PostgresInstallation? Find()
    {
        var binDirectory = CandidateBinDirectories().FirstOrDefault(directory =>
            File.Exists(Path.Combine(directory, ExecutableName("initdb"))) && File.Exists(Path.Combine(directory, ExecutableName("postgres"))));
        if (binDirectory is null)
        {
            return null;
        }

        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return new PostgresInstallation(binDirectory, runUser: null);
        }

        return new PostgresInstallation(binDirectory, Executables.FindOnPath("runuser") ?? throw new DistributedApplicationException(
            $"PostgreSQL refuses to run as root and runuser (util-linux) is not on PATH to start it as the '{ServiceUser}' user. " +
            "Run the AppHost as a normal user, install util-linux, or use Postgres:Mode 'container'."));
    }

    /// <summary>What to start to run <paramref name="executable"/> under the right account: the file, then the words before the executable's own arguments.</summary>
    public (string FileName, string[] Prefix) Launch(string executable) =>
        RunUser is null ? (executable, []) : (RunUser, ["-u", ServiceUser, "--", executable]);

    /// <summary>
    /// What to start to run the server: as <see cref="Launch"/>, through a shell that turns the SIGTERM a stopping AppHost
    /// sends into SIGINT, PostgreSQL's fast shutdown. Its SIGTERM is a smart shutdown that waits for every client to leave,
    /// and a service still holding pooled connections would keep it waiting until it is killed (and must then recover).
    /// </summary>
    public (string FileName, string[] Prefix) LaunchServer()
    {
        if (OperatingSystem.IsWindows())
        {
            return Launch(Server);
        }

        const string fastShutdown = """
            trap 'kill -INT "$child" 2>/dev/null' TERM INT
            "$0" "$@" & child=$!
            status=0
            while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
            exit "$status"
            """;
        string[] shell = ["/bin/sh", "-c", fastShutdown, Server];
        return RunUser is null ? (shell[0], shell[1..]) : (RunUser, ["-u", ServiceUser, "--", .. shell]);
    }

    /// <summary>As root, gives <paramref name="path"/> to <see cref="ServiceUser"/>, who must own the data folder and read the password file.</summary>
    public async Task GiveToServiceUserAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        if (RunUser is not null && await RunProcessAsync("chown", [$"{ServiceUser}:", path], standardInput: null, logger, cancellationToken) is not 0)
        {
            throw new DistributedApplicationException($"Could not give '{path}' to the '{ServiceUser}' user; see the output above.");
        }
    }

    /// <summary>Runs <paramref name="executable"/> from this installation to its end, its output into <paramref name="logger"/>.</summary>
    public Task<int> RunAsync(string executable, IEnumerable<string> arguments, string? standardInput, ILogger logger, CancellationToken cancellationToken)
    {
        var (fileName, prefix) = Launch(executable);
        // A folder every account may enter: as root the AppHost may have been started from one postgres cannot.
        return RunProcessAsync(fileName, [.. prefix, .. arguments], standardInput, logger, cancellationToken, workingDirectory: BinDirectory);
    }

    private static async Task<int> RunProcessAsync(string fileName, IEnumerable<string> arguments, string? standardInput, ILogger logger,
        CancellationToken cancellationToken, string? workingDirectory = null)
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(fileName, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = standardInput is not null,
                WorkingDirectory = workingDirectory ?? "",
            },
        };
        process.OutputDataReceived += (_, line) => LogOutput(logger, line.Data);
        process.ErrorDataReceived += (_, line) => LogOutput(logger, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;
    }

    private static void LogOutput(ILogger logger, string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            LogLine(logger, line);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogLine(ILogger logger, string line);

    private static IEnumerable<string> CandidateBinDirectories()
    {
        // Debian and Ubuntu keep the server off PATH, one folder per major version (15, 16, ... or 9.6): newest first.
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var versions = Directory.GetDirectories(debianRoot)
                .Select(path => (Path: path, IsVersion: decimal.TryParse(Path.GetFileName(path), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var version), Version: version))
                .Where(candidate => candidate.IsVersion)
                .OrderByDescending(candidate => candidate.Version);
            foreach (var (path, _, _) in versions)
            {
                yield return Path.Combine(path, "bin");
            }
        }

        // Elsewhere (Homebrew, Fedora, a source build) initdb and postgres sit side by side on PATH.
        if (Executables.FindOnPath("initdb") is string initDb && Path.GetDirectoryName(initDb) is string directory)
        {
            yield return directory;
        }
    }

    private static string ExecutableName(string name) => OperatingSystem.IsWindows() ? name + ".exe" : name;
}
