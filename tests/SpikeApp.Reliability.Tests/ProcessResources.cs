using System.Diagnostics;
using System.Globalization;

namespace SpikeApp.Reliability.Tests;

/// <summary>Threads and open sockets of a live process, read from /proc: what a leak piles up.</summary>
internal readonly record struct ProcessResources(int Threads, int Sockets)
{
    public static ProcessResources Of(Process process)
    {
        var threads = File.ReadLines($"/proc/{process.Id}/status")
            .First(line => line.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim();
        var sockets = Directory.EnumerateFileSystemEntries($"/proc/{process.Id}/fd")
            .Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);
        return new ProcessResources(int.Parse(threads, CultureInfo.InvariantCulture), sockets);
    }
}
