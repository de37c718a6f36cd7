using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SpikeApp.Contracts.Orders;
using SpikeApp.Orders.Persistence;
using SpikeApp.Store;
using SpikeApp.Store.Loops;

namespace SpikeApp.Orders.Processing;

/// <summary>
/// Stores each batch of every sale's stream in one transaction, and only then acknowledges it: at-least-once delivery,
/// exactly-once effect. Unhealthy until the schema is migrated; degraded while Redis or PostgreSQL fails it.
/// </summary>
public sealed class OrderPersister(
    OrderFeed feed,
    RedisSaleStore store,
    OrderLedger ledger,
    LedgerSchema schema,
    OrdersTelemetry telemetry,
    IOptions<OrdersOptions> options,
    IConfiguration configuration,
    LoopTelemetry loops,
    ILogger<OrderPersister> logger) : BackgroundService, IHealthCheck
{
    public const string Loop = "persist";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SaleListRefresh = TimeSpan.FromSeconds(2);
    private readonly string _consumer = InstanceNames.Resolve(options.Value.ConsumerName, configuration["OTEL_RESOURCE_ATTRIBUTES"]);
    private readonly LoopHealth _health = new(Loop, RetryDelay, logger, loops);
    private volatile bool _migrated;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_migrated ? _health.Check(HealthCheckResult.Healthy("Schema migrated; the order streams are stored."))
            : HealthCheckResult.Unhealthy(_health.Trouble ?? "The orders schema is not migrated yet."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await MigrateAsync(stoppingToken);
        _migrated = true;

        var saleIds = Array.Empty<string>();
        var salesRead = 0L;
        var lastClaim = 0L;
        while (!stoppingToken.IsCancellationRequested)
        {
            var stored = 0;
            try
            {
                if (Stopwatch.GetElapsedTime(salesRead) > SaleListRefresh)
                {
                    saleIds = await store.GetSaleIdsAsync();
                    salesRead = Stopwatch.GetTimestamp();
                }

                var claim = Stopwatch.GetElapsedTime(lastClaim) > options.Value.ClaimAfter / 2;
                foreach (var saleId in saleIds)
                {
                    var batch = await feed.ReadAsync(saleId, _consumer, options.Value.BatchSize);
                    if (claim)
                    {
                        batch = [.. batch, .. await feed.ClaimAsync(saleId, _consumer, options.Value.ClaimAfter, options.Value.BatchSize)];
                    }

                    if (batch.Count > 0)
                    {
                        await StoreAsync(saleId, batch, stoppingToken);
                        stored += batch.Count;
                    }
                }

                if (claim)
                {
                    lastClaim = Stopwatch.GetTimestamp();
                    await TrimAndMeasureLagAsync(saleIds);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing was acknowledged: the same entries are read again ("0") once the store answers.
                await Task.Delay(_health.Failed(ex), stoppingToken);
                continue;
            }

            _health.Succeeded();
            if (stored == 0)
            {
                await Task.Delay(options.Value.IdleDelay, stoppingToken);
            }
        }
    }

    private async Task StoreAsync(string saleId, IReadOnlyList<SaleEvent> batch, CancellationToken cancellationToken)
    {
        using var activity = OrdersTelemetry.ActivitySource.StartActivity(OrdersTelemetry.PersistSpan, ActivityKind.Consumer,
            parentContext: default, links: Links(batch));
        activity?.SetTag("spike.sale", saleId);
        activity?.SetTag("messaging.batch.message_count", batch.Count);
        var started = Stopwatch.GetTimestamp();

        await ledger.StoreAsync(batch, cancellationToken);
        await feed.AcknowledgeAsync(saleId, [.. batch.Select(change => change.EntryId)]);

        telemetry.RecordPersistDuration(Stopwatch.GetElapsedTime(started));
        foreach (var byStatus in batch.OfType<OrderEvent>().GroupBy(change => change.Order.Status))
        {
            telemetry.RecordPersisted(byStatus.Key.ToName(), byStatus.Count());
        }
    }

    private async Task TrimAndMeasureLagAsync(IReadOnlyList<string> saleIds)
    {
        var lag = 0L;
        foreach (var saleId in saleIds)
        {
            await feed.TrimAcknowledgedAsync(saleId);
            lag += await feed.LagAsync(saleId);
        }

        telemetry.SetLag(lag);
    }

    /// <summary>A link to each purchase stored (at most the first 128 of a batch, to keep the span small).</summary>
    private static List<ActivityLink> Links(IReadOnlyList<SaleEvent> batch)
    {
        var links = new List<ActivityLink>();
        foreach (var change in batch.OfType<OrderEvent>().Take(128))
        {
            if (change.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, out var context))
            {
                links.Add(new ActivityLink(context));
            }
        }

        return links;
    }

    private async Task MigrateAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await schema.MigrateAsync(stoppingToken);
                _health.Succeeded();
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(_health.Failed(ex), stoppingToken);
            }
        }
    }
}
