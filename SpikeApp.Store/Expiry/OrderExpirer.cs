using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpikeApp.Store.Loops;

namespace SpikeApp.Store.Expiry;

/// <summary>
/// Puts the units of unpaid orders past their deadline back on sale. One Redis script decides each sale's expiry, so any
/// number of processes may run this at once (replicas and processors do) and a unit is never released twice: expiry
/// does not depend on any one process staying alive.
/// </summary>
public sealed partial class OrderExpirer : BackgroundService, IHealthCheck
{
    public const string Loop = "expiry";
    private const int MaxPerCall = 1000;

    private readonly RedisSaleStore _store;
    private readonly ExpiryTelemetry _telemetry;
    private readonly TimeSpan _interval;
    private readonly ILogger<OrderExpirer> _logger;
    private readonly LoopHealth _health;

    public OrderExpirer(RedisSaleStore store, ExpiryTelemetry telemetry, LoopTelemetry loops, IOptions<OrderExpiryOptions> options, ILogger<OrderExpirer> logger)
    {
        _store = store;
        _telemetry = telemetry;
        _interval = options.Value.ExpiryInterval;
        _logger = logger;
        _health = new LoopHealth(Loop, _interval, logger, loops);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_health.Check(HealthCheckResult.Healthy("Unpaid orders expire on time.")));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = _interval;
        while (true)
        {
            await Task.Delay(delay, stoppingToken);
            Exception? failure;
            try
            {
                failure = await ExpireAllAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                failure = ex;
            }

            if (failure is null)
            {
                _health.Succeeded();
                delay = _interval;
            }
            else
            {
                delay = _health.Failed(failure);
            }
        }
    }

    /// <summary>Every sale gets its turn even when another one fails; answers the first failure, or null.</summary>
    private async Task<Exception?> ExpireAllAsync()
    {
        Exception? failure = null;
        foreach (var saleId in await _store.GetSaleIdsAsync())
        {
            try
            {
                await ExpireDueAsync(saleId);
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
        }

        return failure;
    }

    private async Task ExpireDueAsync(string saleId)
    {
        string[] expired;
        do
        {
            expired = await _store.ExpireDueAsync(saleId, MaxPerCall);
            if (expired.Length > 0)
            {
                using var activity = ExpiryTelemetry.ActivitySource.StartActivity(ExpiryTelemetry.ExpireSpan);
                activity?.SetTag("spike.sale", saleId);
                activity?.SetTag("spike.orders.expired", expired.Length);
                _telemetry.RecordExpired(expired.Length);
                LogExpired(saleId, expired.Length);
            }
        }
        while (expired.Length == MaxPerCall);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sale {SaleId}: {Count} unpaid orders expired, their units back on sale")]
    private partial void LogExpired(string saleId, int count);
}
