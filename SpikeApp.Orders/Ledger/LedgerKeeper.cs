using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using SpikeApp.Contracts.Sales;
using SpikeApp.Orders.Persistence;
using SpikeApp.Store;
using SpikeApp.Store.Loops;

namespace SpikeApp.Orders.Ledger;

/// <summary>
/// Redis decides, PostgreSQL remembers. A sale Redis lost or has closed (a restarted or failed-over server opens no sale
/// by itself) is brought up to the ledger before anyone sells again: its stream is stored first, then the sale is opened
/// as it is if Redis holds everything the ledger does, else restored as a new incarnation of the same round. Only a sale
/// the ledger never saw may be created afresh. A lock lets one process restore a sale at a time.
/// </summary>
public sealed partial class LedgerKeeper(
    RedisSaleStore store,
    OrderFeed feed,
    OrderLedger ledger,
    LedgerSchema schema,
    OrdersTelemetry telemetry,
    IOptions<OrdersOptions> options,
    IOptions<DefaultSaleOptions> defaultSale,
    LoopTelemetry loops,
    ILogger<LedgerKeeper> logger) : BackgroundService, IHealthCheck
{
    public const string Loop = "ledger";
    /// <summary>How long a restore may hold its lock: far above one restore, so only a dead restorer loses it.</summary>
    private static readonly TimeSpan RestoreLockTime = TimeSpan.FromSeconds(30);
    private const int DrainPage = 1000;

    private readonly LoopHealth _health = new(Loop, options.Value.LedgerCheckInterval, logger, loops);
    private volatile string? _trouble = "The ledger has not checked the sales yet.";
    private volatile bool _checkedOnce;

    /// <summary>Unhealthy until the first check has opened every sale (the default sale exists then); degraded while one is not open.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_trouble is not { } trouble ? HealthCheckResult.Healthy("Every sale is open and in step with the ledger.")
            : _checkedOnce ? HealthCheckResult.Degraded(trouble)
            : HealthCheckResult.Unhealthy(trouble));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.WhenMigrated.WaitAsync(stoppingToken);

        while (true)
        {
            var delay = options.Value.LedgerCheckInterval;
            try
            {
                _trouble = await CheckAllAsync(stoppingToken);
                _checkedOnce |= _trouble is null;
                _health.Succeeded();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                delay = _health.Failed(ex);
                _trouble = _health.Trouble;
            }

            await Task.Delay(delay, stoppingToken);
        }
    }

    private async Task<string?> CheckAllAsync(CancellationToken cancellationToken)
    {
        List<string> saleIds, toBringUp = [];
        // The routine look, every check interval, is no operation of anyone's: it must not fill the trace list.
        using (SuppressInstrumentationScope.Begin())
        {
            saleIds = [.. (await ledger.KnownSalesAsync(cancellationToken))
                .Concat(await store.GetSaleIdsAsync())
                .Append(defaultSale.Value.Id)
                .Distinct(StringComparer.Ordinal)];
            foreach (var saleId in saleIds)
            {
                if (!await IsOpenAsync(saleId))
                {
                    toBringUp.Add(saleId);
                }
            }
        }

        var closed = new List<string>();
        foreach (var saleId in toBringUp)
        {
            if (!await BringUpAsync(saleId, cancellationToken))
            {
                closed.Add(saleId);
            }
        }

        return closed.Count == 0 ? null : $"Not open yet: {string.Join(", ", closed)}.";
    }

    /// <summary>True when Redis has the sale open; then it is also written to the sale directory.</summary>
    private async Task<bool> IsOpenAsync(string saleId)
    {
        if (await store.GetAsync(saleId) is null || !await store.IsOpenAsync(saleId))
        {
            return false;
        }

        await store.AddToDirectoryAsync(saleId);
        return true;
    }

    /// <summary>Opens, restores or creates a sale that is not open; true when it is open (or is no sale at all) after.</summary>
    private async Task<bool> BringUpAsync(string saleId, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        if (!await store.TryLockRestoreAsync(saleId, token, RestoreLockTime))
        {
            // Another processor is at it.
            return false;
        }

        try
        {
            return await BringUpToLedgerAsync(saleId, token, cancellationToken);
        }
        finally
        {
            await store.UnlockRestoreAsync(saleId, token);
        }
    }

    private async Task<bool> BringUpToLedgerAsync(string saleId, string token, CancellationToken cancellationToken)
    {
        using var activity = OrdersTelemetry.ActivitySource.StartActivity(OrdersTelemetry.LedgerCheckSpan);
        activity?.SetTag("spike.sale", saleId);

        // What Redis still holds reaches the ledger first: the ledger then knows at least what Redis knows.
        var drained = 0;
        await foreach (var page in feed.ReadAllAsync(saleId, DrainPage).WithCancellation(cancellationToken))
        {
            await ledger.StoreAsync(page, cancellationToken);
            drained += page.Count;
        }

        // Nothing sells a closed or missing sale, so this is what the restore will replace.
        var state = await store.GetAsync(saleId);
        var history = await ledger.HistoryAsync(saleId, cancellationToken);
        activity?.SetTag("spike.ledger.drained", drained);

        string result;
        if (state is { } redis && !history.IsAhead(redis))
        {
            await store.OpenAsync(saleId);
            result = "opened";
            LogOpened(saleId, redis.Epoch, redis.Sold, drained);
        }
        else if (!history.IsKnown)
        {
            // Missing and never seen: no sale, but the default sale, which the ledger creates.
            if (saleId != defaultSale.Value.Id)
            {
                return true;
            }

            result = await CreateAsync(saleId, history) ? "created" : "refused";
        }
        else
        {
            var orders = await ledger.RoundOrdersAsync(saleId, history.Round, cancellationToken);
            var restored = await store.RestoreAsync(saleId, token, state, history.Total, history.Round, history.LatestEpoch + 1, history.Schedule, orders);
            if (restored is not { } incarnation)
            {
                result = "refused";
            }
            else
            {
                result = "restored";
                activity?.SetTag("spike.ledger.orders", orders.Count);
                activity?.SetTag("spike.sale.epoch", incarnation.Epoch);
                LogRestored(saleId, incarnation.Epoch, history.Round, incarnation.Sold, history.Total, state?.Epoch, state?.Seq, history.LatestEpoch, history.LastSeq);
            }
        }

        activity?.SetTag("spike.result", result);
        telemetry.RecordLedgerCheck(result);
        return result is "opened" or "created" or "restored";
    }

    private async Task<bool> CreateAsync(string saleId, SaleHistory history)
    {
        var created = await store.BeginAsync(saleId, defaultSale.Value.Total, expectedEpoch: null, floorEpoch: history.LatestEpoch + 1);
        if (created.State is { } state)
        {
            LogCreated(saleId, state.Total, state.Epoch);
        }

        // Refused: someone created it meanwhile; the next check opens it if needed.
        return created.Outcome == BeginOutcome.Began;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sale {SaleId} created with {Total} units at epoch {Epoch}: the ledger never saw it")]
    private partial void LogCreated(string saleId, long total, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sale {SaleId} opened as Redis holds it (epoch {Epoch}, sold {Sold}): it holds everything the ledger does ({Drained} stream entries stored first)")]
    private partial void LogOpened(string saleId, long epoch, long sold, int drained);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sale {SaleId} restored from the ledger as epoch {Epoch} of round {Round}: sold {Sold} of {Total}. Redis held epoch {RedisEpoch} change {RedisSeq}; the ledger had epoch {LedgerEpoch} change {LedgerSeq}")]
    private partial void LogRestored(string saleId, long epoch, long round, long sold, long total, long? redisEpoch, long? redisSeq, long ledgerEpoch, long ledgerSeq);
}
