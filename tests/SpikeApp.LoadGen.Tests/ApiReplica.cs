using System.Diagnostics;
using System.Net;
using System.Reflection;
using SpikeApp.Testing;

namespace SpikeApp.LoadGen.Tests;

/// <summary>An API replica as its own process (the built SpikeApp.Api.dll) on a free loopback port, killed on dispose.</summary>
public sealed class ApiReplica : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly string Assembly = typeof(ApiReplica).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "SpikeApiAssembly").Value!;

    private readonly Process _process;

    private ApiReplica(Process process, Uri address)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    /// <summary>Starts the replica and waits until it is up (<c>/alive</c>): it is ready only once its default sale exists.</summary>
    public static async Task<ApiReplica> StartAsync(string replicaId, IReadOnlyDictionary<string, string> environment)
    {
        var port = LoopbackPorts.FindFree();
        var startInfo = new ProcessStartInfo("dotnet", [Assembly, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(Assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["Logging__LogLevel__Default"] = "Warning";
        startInfo.Environment["Spike__ReplicaId"] = replicaId;
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("The API did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var replica = new ApiReplica(process, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await replica.WaitForAsync("/alive", StartTimeout);
            return replica;
        }
        catch
        {
            replica.Dispose();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="path"/> answers 200: <c>/alive</c> (up) or <c>/health</c> (ready to sell).</summary>
    public async Task WaitForAsync(string path, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with {_process.ExitCode} while starting.");
            }

            try
            {
                using var response = await Client.GetAsync(path, cancellation.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellation.Token);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            ProcessSignals.Kill(_process);
        }

        _process.Dispose();
        Client.Dispose();
    }
}
