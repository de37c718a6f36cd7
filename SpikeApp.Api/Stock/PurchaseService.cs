using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SpikeApp.Api.Stock;

public enum PurchaseStatus
{
    Created,
    Existing,
    SoldOut,
    NoSale,
    Unavailable,
}

public readonly record struct PurchaseResult(PurchaseStatus Status, string? OrderId = null, string? UserId = null);

/// <summary>
/// The purchase path: a lock-free deduction from this replica's slice, then, only if that succeeded, one atomic
/// Redis script. A replica that knows the sale is sold out answers without any I/O.
/// </summary>
public sealed class PurchaseService(
    SaleRegistry registry,
    RedisSaleStore store,
    StockTelemetry telemetry,
    ReplicaIdentity replica,
    IOptions<SpikeOptions> options,
    ILogger<PurchaseService> logger)
{
    // StackExchange.Redis notices a timeout on its heartbeat, up to a second late; the purchase keeps its own deadline.
    private readonly TimeSpan _redisTimeout = TimeSpan.FromMilliseconds(options.Value.RedisTimeoutMilliseconds);
    private static readonly long FailureReportInterval = Stopwatch.Frequency * 5;
    private long _nextFailureReport;
    private int _unreportedFailures;

    /// <param name="userId">The buyer; null for the seed endpoints, where every request is a new anonymous buyer.</param>
    public async ValueTask<PurchaseResult> PurchaseAsync(string saleId, string? userId)
    {
        LocalSale? sale;
        try
        {
            sale = await registry.GetAsync(saleId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ReportRedisFailure(saleId, ex);
            telemetry.RecordOutcome(PurchaseOutcomes.Error);
            return new PurchaseResult(PurchaseStatus.Unavailable);
        }

        // A reset may change the epoch under us: the script then refuses and we retry once on the fresh slice.
        for (var attempt = 0; sale is not null && attempt < 2; attempt++)
        {
            if (!TryTakeLocal(sale))
            {
                telemetry.RecordOutcome(PurchaseOutcomes.SoldOutLocal);
                return new PurchaseResult(PurchaseStatus.SoldOut);
            }

            userId ??= AnonymousBuyers.Next();
            var (result, retry) = await DeductRemoteAsync(sale, userId);
            if (!retry)
            {
                return result;
            }

            sale = await RefreshOrNullAsync(saleId);
        }

        telemetry.RecordOutcome(PurchaseOutcomes.Rejected);
        return new PurchaseResult(sale is null ? PurchaseStatus.NoSale : PurchaseStatus.Unavailable);
    }

    private bool TryTakeLocal(LocalSale sale)
    {
        using var activity = StockTelemetry.ActivitySource.StartActivity(StockTelemetry.LocalDeductSpan);
        var taken = !sale.IsSoldOut && sale.Stock.TryTake();
        if (activity is not null)
        {
            activity.SetTag("spike.sale", sale.SaleId);
            activity.SetTag("spike.replica", replica.Id);
            activity.SetTag("spike.result", taken ? "taken" : "sold_out");
            activity.SetTag("spike.stock.local.remaining", sale.Stock.Remaining);
        }

        return taken;
    }

    private async ValueTask<(PurchaseResult Result, bool Retry)> DeductRemoteAsync(LocalSale sale, string userId)
    {
        using var activity = StockTelemetry.ActivitySource.StartActivity(StockTelemetry.RemoteDeductSpan);
        activity?.SetTag("spike.sale", sale.SaleId);
        activity?.SetTag("spike.replica", replica.Id);
        var started = Stopwatch.GetTimestamp();

        RemoteDeduction reply;
        try
        {
            reply = await store.DeductAsync(sale, userId, replica.Id).WaitAsync(_redisTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Only a command that never left this process is surely unsold; after a timeout Redis may have sold the
            // unit, so it stays taken: the slice may then sell one unit less, never one more.
            if (NeverSent(ex))
            {
                sale.Stock.Return();
            }

            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            telemetry.RecordRemoteDuration(Stopwatch.GetElapsedTime(started), "error");
            telemetry.RecordOutcome(PurchaseOutcomes.Error);
            ReportRedisFailure(sale.SaleId, ex);
            return (new PurchaseResult(PurchaseStatus.Unavailable), false);
        }

        var (status, outcome) = reply.Code switch
        {
            SaleScripts.Created => (PurchaseStatus.Created, PurchaseOutcomes.Success),
            SaleScripts.Existing => (PurchaseStatus.Existing, PurchaseOutcomes.Existing),
            SaleScripts.SoldOut => (PurchaseStatus.SoldOut, PurchaseOutcomes.SoldOutRemote),
            _ => (PurchaseStatus.NoSale, PurchaseOutcomes.Rejected),
        };

        if (status == PurchaseStatus.Created)
        {
            sale.RecordSale();
        }
        else if (status == PurchaseStatus.SoldOut)
        {
            sale.MarkSoldOutInRedis();
        }
        else
        {
            sale.Stock.Return();
        }

        if (activity is not null)
        {
            activity.SetTag("spike.result", outcome);
            activity.SetTag("spike.order", reply.OrderId);
        }

        telemetry.RecordRemoteDuration(Stopwatch.GetElapsedTime(started), outcome);
        if (reply.Code is SaleScripts.StaleEpoch or SaleScripts.NoSale)
        {
            return (default, true);
        }

        telemetry.RecordOutcome(outcome);
        return (new PurchaseResult(status, reply.OrderId, userId), false);
    }

    private async ValueTask<LocalSale?> RefreshOrNullAsync(string saleId)
    {
        try
        {
            return await registry.RefreshAsync(saleId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ReportRedisFailure(saleId, ex);
            return null;
        }
    }

    /// <summary>During an outage every purchase fails; one warning per interval, with a count, keeps the log readable.</summary>
    private void ReportRedisFailure(string saleId, Exception exception)
    {
        var now = Stopwatch.GetTimestamp();
        var next = Interlocked.Read(ref _nextFailureReport);
        if (now < next || Interlocked.CompareExchange(ref _nextFailureReport, now + FailureReportInterval, next) != next)
        {
            Interlocked.Increment(ref _unreportedFailures);
            return;
        }

        logger.RedisUnavailable(saleId, Interlocked.Exchange(ref _unreportedFailures, 0), exception);
    }

    private static bool NeverSent(Exception ex) => ex switch
    {
        RedisTimeoutException timeout => timeout.Commandstatus == CommandStatus.WaitingToBeSent,
        RedisConnectionException connection => connection.CommandStatus == CommandStatus.WaitingToBeSent,
        _ => false,
    };
}

internal static partial class PurchaseLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Redis unavailable for a purchase on sale {SaleId} ({UnreportedFailures} more failures since the last report)")]
    public static partial void RedisUnavailable(this ILogger logger, string saleId, int unreportedFailures, Exception exception);
}
