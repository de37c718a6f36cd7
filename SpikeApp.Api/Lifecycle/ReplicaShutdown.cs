using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Stock;

namespace SpikeApp.Api.Lifecycle;

/// <summary>
/// A replica's way out, on SIGTERM or any other stop: unready at once (readiness fails, liveness holds, so it is not
/// restarted), still serving through the drain the requests load balancers keep sending, then the host closes the
/// listener and finishes the requests in flight, and last the replica leaves every sale's membership, so the others'
/// next slices count it out at once rather than when its presence ages out.
/// </summary>
public sealed partial class ReplicaShutdown(
    ReplicaMembership membership,
    IHostApplicationLifetime lifetime,
    IOptions<ShutdownOptions> options,
    ILogger<ReplicaShutdown> logger) : IHostedLifecycleService, IHealthCheck
{
    private int _stopping;

    /// <summary>SIGTERM raises the application's stopping before the host stops; a host stopped in code raises it after the drain.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) != 0 || lifetime.ApplicationStopping.IsCancellationRequested;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsStopping
            ? HealthCheckResult.Unhealthy("Shutting down: serving the requests still routed here, then leaving.")
            : HealthCheckResult.Healthy());

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _stopping, 1);
        LogDraining(options.Value.Drain.TotalMilliseconds);
        try
        {
            await Task.Delay(options.Value.Drain, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout cut the drain short: close the listener now.
        }
    }

    /// <summary>After the listener closed and the requests in flight ended: nothing here sells any more.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => membership.LeaveAsync();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: unready, serving new requests for {DrainMs:0} ms more before the listener closes")]
    private partial void LogDraining(double drainMs);
}
