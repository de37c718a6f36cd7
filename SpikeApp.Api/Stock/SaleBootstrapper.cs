using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// Brings this replica into the sale: loads the scripts, creates the default sale only if Redis has none (a restart
/// never resets a running sale), and follows resets announced by other replicas. Until then <c>/health</c> is unhealthy,
/// so the AppHost's <c>WaitFor</c> and load balancers keep traffic away.
/// </summary>
public sealed partial class SaleBootstrapper(
    RedisSaleStore store,
    SaleRegistry registry,
    IOptions<SpikeOptions> options,
    ILogger<SaleBootstrapper> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private volatile bool _ready;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready
            ? HealthCheckResult.Healthy("Sale loaded.")
            : HealthCheckResult.Unhealthy("The default sale is not loaded from Redis yet."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var defaultSale = options.Value.DefaultSale;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.LoadScriptsAsync();
                var (state, sale) = await registry.CreateIfAbsentAsync(defaultSale.Id, defaultSale.Total);
                LogSaleJoined(defaultSale.Id, state.Total, state.Sold, state.Epoch, sale.Stock.Capacity);
                if (state.Total != defaultSale.Total)
                {
                    LogExistingSaleKept(defaultSale.Id, state.Total, defaultSale.Total);
                }

                await FollowResetsAsync();
                _ready = true;
                return;
            }
            catch (SaleStoreUnavailableException ex)
            {
                LogRedisNotReady(ex);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    private async Task FollowResetsAsync()
    {
        await store.SubscribeToResetsAsync(RefreshAsync);

        // A reset announced while this replica was disconnected is missed by pub/sub, so re-read every sale on reconnect.
        store.Reconnected += () =>
        {
            foreach (var sale in registry.Sales)
            {
                _ = RefreshAsync(sale.SaleId);
            }
        };
    }

    private async Task RefreshAsync(string saleId)
    {
        try
        {
            await registry.RefreshAsync(saleId);
        }
        catch (SaleStoreUnavailableException ex)
        {
            LogRefreshFailed(saleId, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined sale {SaleId}: total {Total}, sold {Sold}, epoch {Epoch}; this replica's slice is {Slice}")]
    private partial void LogSaleJoined(string saleId, long total, long sold, long epoch, int slice);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sale {SaleId} already exists with total {Total}; configured total {ConfiguredTotal} ignored (reset the sale to change it)")]
    private partial void LogExistingSaleKept(string saleId, long total, long configuredTotal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is not ready; retrying")]
    private partial void LogRedisNotReady(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh sale {SaleId} from Redis")]
    private partial void LogRefreshFailed(string saleId, Exception exception);
}
