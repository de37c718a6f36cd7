using System.Diagnostics;
using System.Globalization;

namespace SpikeApp.Testing;

/// <summary>The signals a fault test sends: SIGKILL, SIGTERM, and SIGSTOP/SIGCONT to freeze a process without closing its sockets.</summary>
public static class ProcessSignals
{
    /// <summary>SIGKILL, then waits for the process to be gone: no shutdown code runs.</summary>
    public static void Kill(Process process)
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the process shuts down on its own.</summary>
    public static Task TerminateAsync(Process process) => SendAsync(process, "TERM");

    public static Task SuspendAsync(Process process) => SendAsync(process, "STOP");

    public static Task ResumeAsync(Process process) => SendAsync(process, "CONT");

    // .NET only sends SIGKILL itself; kill(1) sends the others without P/Invoke.
    private static async Task SendAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {process.Id} failed with {kill.ExitCode}.");
        }
    }
}
