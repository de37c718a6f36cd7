using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace SpikeApp.Hosting.Servers;

internal static class ContainerRuntime
{
    // Every server in auto mode asks; a runtime that hangs would cost its timeout once per server.
    private static readonly ConcurrentDictionary<string, Lazy<bool>> Probes = new(StringComparer.Ordinal);

    public static bool Answers(IConfiguration configuration)
    {
        var configured = configuration["ASPIRE_CONTAINER_RUNTIME"];
        var runtime = string.IsNullOrWhiteSpace(configured) ? "docker" : configured;
        return Probes.GetOrAdd(runtime, name => new Lazy<bool>(() => Probe(name))).Value;
    }

    private static bool Probe(string runtime)
    {
        if (Executables.FindOnPath(runtime) is not string runtimePath)
        {
            return false;
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo(runtimePath, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (probe is null)
            {
                return false;
            }

            if (!probe.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                probe.Kill(entireProcessTree: true);
                return false;
            }

            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
