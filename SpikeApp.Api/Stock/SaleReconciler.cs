using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Breaker;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// Push plus reconcile: a change message re-reads its sale at once, and every sale is synced each interval anyway, so a
/// replica that missed a message converges. Replicas never create sales: the order processor, holding the ledger, does.
/// </summary>
public sealed partial class SaleReconciler(
    RedisSaleStore store,
    SaleRegistry registry,
    RedisBreaker breaker,
    StockTelemetry telemetry,
    IOptions<SpikeOptions> options,
    ILogger<SaleReconciler> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private volatile string? _unhealthyReason = "Redis has not answered yet.";
    private long _lastSyncTimestamp;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var defaultSaleId = options.Value.DefaultSale.Id;
        var restoring = registry.Sales.Where(sale => sale.IsRestoring).Select(sale => sale.SaleId).ToList();
        return Task.FromResult(
            _unhealthyReason is { } reason ? HealthCheckResult.Unhealthy(reason)
            : registry.Find(defaultSaleId) is null ? HealthCheckResult.Unhealthy($"Sale '{defaultSaleId}' is not open yet: the order processor creates or restores it.")
            : breaker.State != BreakerState.Closed ? HealthCheckResult.Degraded("Redis failed repeatedly: purchases answer 503 at once until the breaker's probe gets an answer.")
            : restoring.Count > 0 ? HealthCheckResult.Degraded($"Restoring from the ledger: {string.Join(", ", restoring)}.")
            : HealthCheckResult.Healthy($"In step with Redis {Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastSyncTimestamp)).TotalSeconds:0.0} s ago."));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await JoinAsync(stoppingToken);

        using var timer = new PeriodicTimer(options.Value.ReconcileInterval);
        do
        {
            await ReconcileAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task JoinAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await store.SubscribeToChangesAsync(saleId => SyncQuietlyAsync(saleId, StockTelemetry.SyncReasons.Change));
                // Messages sent while this replica was disconnected are lost: re-read every sale on reconnect. Units held in
                // doubt wait for Redis too: settle them as soon as the breaker sees it answer again.
                store.Reconnected += () => _ = ReconcileAsync();
                breaker.Closed += () => _ = ReconcileAsync();
                return;
            }
            catch (SaleStoreUnavailableException ex)
            {
                LogRedisNotReady(ex);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    private async Task ReconcileAsync()
    {
        var saleIds = registry.Sales.Select(sale => sale.SaleId).Append(options.Value.DefaultSale.Id).Distinct(StringComparer.Ordinal);
        var allSynced = true;
        foreach (var saleId in saleIds.ToList())
        {
            allSynced &= await SyncQuietlyAsync(saleId, StockTelemetry.SyncReasons.Reconcile);
        }

        if (allSynced)
        {
            MarkInStep();
        }
    }

    private async Task<bool> SyncQuietlyAsync(string saleId, string reason)
    {
        try
        {
            var synced = await registry.SyncAsync(saleId);
            breaker.RecordAnswer();
            telemetry.RecordSync(reason);
            telemetry.RecordSettled(synced.SettledSold, synced.SettledReturned);
            if (synced.Sale is { Local.IsRestoring: false })
            {
                // Written by every replica's sync, so a sale the processors lost track of is found again within an interval.
                await store.AddToDirectoryAsync(saleId);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A sync must never stop the replica: the next one (at most an interval away) retries.
            _unhealthyReason = $"The last sync of sale '{saleId}' failed: {ex.Message}";
            LogSyncFailed(saleId, ex);
            return false;
        }
    }

    private void MarkInStep()
    {
        Interlocked.Exchange(ref _lastSyncTimestamp, Stopwatch.GetTimestamp());
        _unhealthyReason = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is not ready; retrying")]
    private partial void LogRedisNotReady(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sync sale {SaleId} with Redis; the next reconcile retries")]
    private partial void LogSyncFailed(string saleId, Exception exception);
}
