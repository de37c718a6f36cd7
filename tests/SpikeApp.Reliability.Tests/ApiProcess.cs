using System.Diagnostics;
using System.Net;
using System.Reflection;
using SpikeApp.Testing;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// One service instance as its own process on a loopback port, started from its built dll: an API replica
/// (SpikeApp.Api.dll) or an order processor (SpikeApp.Orders.dll).
/// </summary>
public sealed class ApiProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public static readonly string ApiAssembly = BuiltAssembly("SpikeApiAssembly");
    public static readonly string OrdersAssembly = BuiltAssembly("SpikeOrdersAssembly");

    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _assembly;
    private Process? _process;

    public ApiProcess(string replicaId, IReadOnlyDictionary<string, string> environment, string? assembly = null)
    {
        ReplicaId = replicaId;
        _environment = environment;
        _assembly = assembly ?? ApiAssembly;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string ReplicaId { get; }

    public int Port { get; } = LoopbackPorts.FindFree();

    public HttpClient Client { get; }

    public Process Process => _process ?? throw new InvalidOperationException($"{ReplicaId} is not running.");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts the process (again, after a kill: same port, same id) and waits until <paramref name="readyPath"/> answers
    /// 200: <c>/health</c> (ready to serve), or <c>/alive</c> (up, e.g. a replica whose sale does not exist yet).
    /// </summary>
    public async Task StartAsync(string readyPath = "/health")
    {
        var startInfo = new ProcessStartInfo("dotnet", [_assembly, "--urls", $"http://127.0.0.1:{Port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(_assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["Logging__LogLevel__Default"] = "Warning";
        startInfo.Environment["Spike__ReplicaId"] = ReplicaId;
        startInfo.Environment["Orders__ConsumerName"] = ReplicaId;
        foreach (var (key, value) in _environment)
        {
            startInfo.Environment[key] = value;
        }

        _process = Process.Start(startInfo) ?? throw new InvalidOperationException("The API did not start.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{ReplicaId} exited with {_process.ExitCode} while starting.");
            }

            try
            {
                if ((await Client.GetAsync(readyPath, timeout.Token)).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>Waits until <c>/health</c> answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while ((await Client.GetAsync("/health", cancellation.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(50, cancellation.Token);
        }
    }

    /// <summary>SIGKILL: the replica vanishes mid-request, its slice with it.</summary>
    public void Kill()
    {
        ProcessSignals.Kill(Process);
        _process!.Dispose();
        _process = null;
    }

    /// <summary>SIGTERM: the replica drains and leaves on its own; <see cref="WaitForExitAsync"/> sees it go.</summary>
    public Task TerminateAsync() => ProcessSignals.TerminateAsync(Process);

    /// <summary>Waits for the process to exit; its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await Process.WaitForExitAsync(cancellationToken);
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            ProcessSignals.Kill(_process);
        }

        _process?.Dispose();
        Client.Dispose();
    }

    private static string BuiltAssembly(string key) => typeof(ApiProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == key).Value!;
}
