using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SpikeApp.Hosting.Servers;

namespace SpikeApp.Hosting.Postgres;

/// <summary>initdb and postgres refuse root: as root both run as the package's <c>postgres</c> user through <c>runuser</c>.</summary>
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

    public string? RunUser { get; }

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

    public (string FileName, string[] Prefix) Launch(string executable) =>
        RunUser is null ? (executable, []) : (RunUser, ["-u", ServiceUser, "--", executable]);

    /// <summary>
    /// Through a shell that turns a stopping AppHost's SIGTERM into SIGINT, a fast shutdown: postgres' SIGTERM waits for
    /// every client to leave, and a service holding pooled connections would keep it waiting until killed.
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
