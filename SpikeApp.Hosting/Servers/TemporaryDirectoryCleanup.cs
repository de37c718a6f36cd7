using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace SpikeApp.Hosting.Servers;

/// <summary>Waits for the server to exit before deleting its folder: Aspire asks for the stop but does not wait for it.</summary>
internal sealed class TemporaryDirectoryCleanup(string path, string? serverPidFile = null) : IHostedLifecycleService
{
    private static readonly TimeSpan ServerExitTimeout = TimeSpan.FromSeconds(5);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Stopped, not Stop: only after every hosted service has stopped, the orchestrator included.
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        var waitingSince = Stopwatch.GetTimestamp();
        while (ServerIsRunning() && Stopwatch.GetElapsedTime(waitingSince) < ServerExitTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }

        for (var attempt = 1; Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A server killed late may still write a file; after a few tries, leave the folder to the OS' temp cleanup.
                if (attempt == 5)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), CancellationToken.None);
            }
        }
    }

    private bool ServerIsRunning()
    {
        if (serverPidFile is null)
        {
            return false;
        }

        try
        {
            // A server that exits cleanly removes the file; one that was killed leaves it, naming a process that is gone.
            var firstLine = File.ReadLines(Path.Combine(path, serverPidFile)).FirstOrDefault();
            if (!int.TryParse(firstLine, System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                return false;
            }

            using var server = Process.GetProcessById(pid);
            return !server.HasExited;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
