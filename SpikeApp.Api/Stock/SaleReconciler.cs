using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// Keeps this replica's sales in step with Redis. At start it loads the scripts and creates the default sale only if
/// Redis has none (a restart never resets a running sale). Then push plus reconcile: a reset or restock message
/// re-reads its sale at once, and every <see cref="SpikeOptions.ReconcileInterval"/> each sale is synced
/// anyway, so a replica that missed a message (or a Redis that lost its data) converges within one interval.
/// <c>/health</c> is unhealthy until the default sale is loaded and while syncs fail, so load balancers keep traffic away.
/// </summary>
public sealed partial class SaleReconciler(
    RedisSaleStore store,
    SaleRegistry registry,
    StockTelemetry telemetry,
    IOptions<SpikeOptions> options,
    ILogger<SaleReconciler> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private volatile string? _unhealthyReason = "The default sale is not loaded from Redis yet.";
    private long _lastSyncTimestamp;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_unhealthyReason is { } reason
            ? HealthCheckResult.Unhealthy(reason)
            : HealthCheckResult.Healthy($"In step with Redis {Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastSyncTimestamp)).TotalSeconds:0.0} s ago."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await JoinAsync(stoppingToken);

        using var timer = new PeriodicTimer(options.Value.ReconcileInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await ReconcileAsync();
        }
    }

    private async Task JoinAsync(CancellationToken stoppingToken)
    {
        var defaultSale = options.Value.DefaultSale;
        while (true)
        {
            try
            {
                await store.LoadScriptsAsync();
                var (state, sale) = await registry.CreateIfAbsentAsync(defaultSale.Id, defaultSale.Total);
                LogSaleJoined(defaultSale.Id, state.Total, state.Sold, state.Epoch, sale.Stock.Granted);
                if (state.Total != defaultSale.Total)
                {
                    LogExistingSaleKept(defaultSale.Id, state.Total, defaultSale.Total);
                }

                await store.SubscribeToChangesAsync(saleId => SyncQuietlyAsync(saleId, StockTelemetry.SyncReasons.Change));
                // Messages sent while this replica was disconnected are lost: re-read every sale on reconnect.
                store.Reconnected += () => _ = ReconcileAsync();
                MarkInStep();
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
            telemetry.RecordSync(reason);
            telemetry.RecordSettled(synced.SettledSold, synced.SettledReturned);
            return true;
        }
        catch (SaleStoreUnavailableException ex)
        {
            _unhealthyReason = $"Redis did not answer the last sync of sale '{saleId}': {ex.Message}";
            LogSyncFailed(saleId, ex);
            return false;
        }
    }

    private void MarkInStep()
    {
        Interlocked.Exchange(ref _lastSyncTimestamp, Stopwatch.GetTimestamp());
        _unhealthyReason = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined sale {SaleId}: total {Total}, sold {Sold}, epoch {Epoch}; this replica's slice is {Slice}")]
    private partial void LogSaleJoined(string saleId, long total, long sold, long epoch, long slice);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sale {SaleId} already exists with total {Total}; configured total {ConfiguredTotal} ignored (reset the sale to change it)")]
    private partial void LogExistingSaleKept(string saleId, long total, long configuredTotal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is not ready; retrying")]
    private partial void LogRedisNotReady(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sync sale {SaleId} with Redis; the next reconcile retries")]
    private partial void LogSyncFailed(string saleId, Exception exception);
}
