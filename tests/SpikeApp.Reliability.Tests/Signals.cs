using System.Diagnostics;

namespace SpikeApp.Reliability.Tests;

/// <summary>The signals a fault test sends: SIGKILL, and SIGSTOP/SIGCONT to freeze a process without closing its sockets.</summary>
internal static class Signals
{
    public static void Kill(Process process)
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public static Task StopAsync(Process process) => SendAsync(process, "STOP");

    public static Task ContinueAsync(Process process) => SendAsync(process, "CONT");

    private static async Task SendAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {process.Id} failed with {kill.ExitCode}.");
        }
    }

    /// <summary>Threads and open sockets of a live process, from /proc.</summary>
    public static (int Threads, int Sockets) Resources(Process process)
    {
        var threads = File.ReadLines($"/proc/{process.Id}/status")
            .First(line => line.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim();
        var sockets = Directory.EnumerateFileSystemEntries($"/proc/{process.Id}/fd")
            .Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);
        return (int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture), sockets);
    }
}
