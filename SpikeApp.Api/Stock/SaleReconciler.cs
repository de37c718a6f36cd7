using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Breaker;
using SpikeApp.Store;
using SpikeApp.Store.Loops;

namespace SpikeApp.Api.Stock;

/// <summary>
/// Push plus reconcile: a change message re-reads its sale at once, and every sale is synced each interval anyway, so a
/// replica that missed a message converges. Replicas never create sales: the order processor, holding the ledger, does.
/// </summary>
public sealed class SaleReconciler(
    RedisSaleStore store,
    SaleRegistry registry,
    RedisBreaker breaker,
    StockTelemetry telemetry,
    IOptions<SpikeOptions> options,
    LoopTelemetry loops,
    ILogger<SaleReconciler> logger) : BackgroundService, IHealthCheck
{
    public const string ReconcileLoop = "reconcile";
    public const string ChangeLoop = "change";
    private readonly LoopHealth _reconcile = new(ReconcileLoop, options.Value.ReconcileInterval, logger, loops);
    private readonly LoopHealth _changes = new(ChangeLoop, options.Value.ReconcileInterval, logger, loops);
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

        while (true)
        {
            await Task.Delay(await ReconcileAsync(), stoppingToken);
        }
    }

    private async Task JoinAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await store.SubscribeToChangesAsync(OnChangeAsync);
                // Messages sent while this replica was disconnected are lost: re-read every sale on reconnect. Units held in
                // doubt wait for Redis too: settle them as soon as the breaker sees it answer again.
                store.Reconnected += () => _ = ReconcileAsync();
                breaker.Closed += () => _ = ReconcileAsync();
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(_reconcile.Failed(ex), stoppingToken);
            }
        }
    }

    /// <summary>Syncs every sale this replica holds; answers when to reconcile next: the interval, or a back-off while Redis fails.</summary>
    private async Task<TimeSpan> ReconcileAsync()
    {
        var saleIds = registry.Sales.Select(sale => sale.SaleId).Append(options.Value.DefaultSale.Id).Distinct(StringComparer.Ordinal);
        Exception? failure = null;
        foreach (var saleId in saleIds.ToList())
        {
            var failed = await SyncQuietlyAsync(saleId, StockTelemetry.SyncReasons.Reconcile);
            failure ??= failed;
        }

        if (failure is not null)
        {
            return _reconcile.Failed(failure);
        }

        Interlocked.Exchange(ref _lastSyncTimestamp, Stopwatch.GetTimestamp());
        _unhealthyReason = null;
        _reconcile.Succeeded();
        return options.Value.ReconcileInterval;
    }

    private async Task OnChangeAsync(string saleId)
    {
        if (await SyncQuietlyAsync(saleId, StockTelemetry.SyncReasons.Change) is { } failure)
        {
            _changes.Failed(failure);
        }
        else
        {
            _changes.Succeeded();
        }
    }

    /// <summary>Null once synced; else the failure, which must never stop the replica: the next reconcile retries.</summary>
    private async Task<Exception?> SyncQuietlyAsync(string saleId, string reason)
    {
        try
        {
            var synced = await registry.SyncAsync(saleId);
            breaker.RecordAnswer();
            telemetry.RecordSync(reason);
            telemetry.RecordSettled(synced.SettledSold, synced.SettledReturned);
            if (synced.Sale is { Local.IsRestoring: false } view)
            {
                if (!view.State.SoldOut)
                {
                    view.Local.TryGrantFirstSlice(options.Value.SliceFor(view.State.Remaining, synced.AliveReplicas));
                }

                // Written by every replica's sync, so a sale the processors lost track of is found again within an interval.
                await store.AddToDirectoryAsync(saleId);
            }

            return null;
        }
        catch (Exception ex)
        {
            _unhealthyReason = $"The last sync of sale '{saleId}' failed: {ex.Message}";
            return ex;
        }
    }
}
