using Microsoft.Extensions.Options;
using SpikeApp.Store;

namespace SpikeApp.Orders.Processing;

/// <summary>One Redis script decides each expiry, so several processors (or a restarted one) never release a unit twice.</summary>
public sealed partial class OrderExpirer(
    RedisSaleStore store,
    OrdersTelemetry telemetry,
    IOptions<OrdersOptions> options,
    ILogger<OrderExpirer> logger) : BackgroundService
{
    private const int MaxPerCall = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExpiryInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var saleId in await store.GetSaleIdsAsync())
                {
                    await ExpireDueAsync(saleId);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Expiry must outlive any one failure: the next tick tries again.
                LogRedisUnavailable(ex);
            }
        }
    }

    private async Task ExpireDueAsync(string saleId)
    {
        string[] expired;
        do
        {
            expired = await store.ExpireDueAsync(saleId, MaxPerCall);
            if (expired.Length > 0)
            {
                using var activity = OrdersTelemetry.ActivitySource.StartActivity(OrdersTelemetry.ExpireSpan);
                activity?.SetTag("spike.sale", saleId);
                activity?.SetTag("spike.orders.expired", expired.Length);
                telemetry.RecordExpired(expired.Length);
                LogExpired(saleId, expired.Length);
            }
        }
        while (expired.Length == MaxPerCall);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sale {SaleId}: {Count} unpaid orders expired, their units back on sale")]
    private partial void LogExpired(string saleId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not answer the expiry check; the next tick retries")]
    private partial void LogRedisUnavailable(Exception exception);
}
