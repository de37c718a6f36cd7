using System.Diagnostics;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Breaker;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// A lock-free take from this replica's slice, then, only if it succeeded, one atomic Redis script. A known "sold out",
/// and a sale not open yet or closed by Redis' clock as this replica reads it, answer without I/O; a dry slice of a sale Redis has not called sold out is refilled first, and a buyer it still
/// cannot serve is told to retry, never that the sale is sold out.
/// </summary>
public sealed partial class PurchaseService(
    SaleRegistry registry,
    SliceRefiller refiller,
    RedisSaleStore store,
    RedisBreaker breaker,
    StockTelemetry telemetry,
    ReplicaIdentity replica,
    RedisClock clock,
    IOptions<SpikeOptions> options,
    ILogger<PurchaseService> logger)
{
    private readonly TimeSpan _paymentWindow = options.Value.PaymentWindow;
    /// <summary>A dry slice waits for at most this many refills (one per refill interval) before the buyer is told to retry.</summary>
    private const int MaxRefillsPerPurchase = 3;

    private static readonly long FailureReportInterval = Stopwatch.Frequency * 5;
    private long _nextFailureReport;
    private int _unreportedFailures;

    /// <param name="userId">The buyer; null for the seed endpoints, where every request is a new anonymous buyer.</param>
    public async ValueTask<PurchaseResult> PurchaseAsync(string saleId, string? userId)
    {
        try
        {
            if (AnswerFromMemory(saleId) is { } known)
            {
                return known;
            }

            var sale = registry.Find(saleId) ?? await LoadAsync(saleId);

            // A reset may change the epoch under us: the script then refuses and we retry once on the fresh slice.
            for (var attempt = 0; sale is not null && attempt < 2; attempt++)
            {
                if (sale.IsRestoring)
                {
                    // Asking again (a sync, at most one per refill interval) learns of the restore without waiting for
                    // a message this replica may have missed while it reconnected.
                    if (await refiller.RefillAsync(sale) == RefillResult.EpochChanged)
                    {
                        sale = registry.Find(saleId);
                        continue;
                    }

                    if (sale.IsRestoring)
                    {
                        telemetry.RecordOutcome(PurchaseOutcomes.Restoring);
                        return new PurchaseResult(PurchaseStatus.Restoring);
                    }
                }

                if (AnswerFromSchedule(sale, Activity.Current) is { } scheduled)
                {
                    return scheduled;
                }

                var gate = await TakeLocalAsync(sale);
                if (gate is LocalTake.EpochChanged or LocalTake.Restoring)
                {
                    sale = registry.Find(saleId);
                    continue;
                }

                switch (gate)
                {
                    case LocalTake.SoldOut:
                        telemetry.RecordOutcome(PurchaseOutcomes.SoldOutLocal);
                        return new PurchaseResult(PurchaseStatus.SoldOut);
                    case LocalTake.Dry:
                        telemetry.RecordOutcome(PurchaseOutcomes.SliceDry);
                        return new PurchaseResult(PurchaseStatus.SliceDry);
                    case LocalTake.Unavailable:
                        telemetry.RecordOutcome(PurchaseOutcomes.Error);
                        return new PurchaseResult(PurchaseStatus.Unavailable);
                }

                userId ??= AnonymousBuyers.Next();
                if (await DeductRemoteAsync(sale, userId) is PurchaseResult result)
                {
                    return result;
                }

                sale = await LoadAsync(saleId);
            }

            if (sale is null)
            {
                telemetry.RecordOutcome(PurchaseOutcomes.NoSale);
                return new PurchaseResult(PurchaseStatus.NoSale);
            }

            // Reset twice while this purchase ran: nothing was sold, the buyer may retry at once.
            telemetry.RecordOutcome(PurchaseOutcomes.Error);
            return new PurchaseResult(PurchaseStatus.Unavailable);
        }
        catch (SaleStoreUnavailableException ex)
        {
            ReportRedisFailure(saleId, ex);
            telemetry.RecordOutcome(PurchaseOutcomes.Error);
            return new PurchaseResult(PurchaseStatus.Unavailable);
        }
    }

    /// <summary>
    /// "Not open yet", "closed", or "sold out" when Redis has said so, for a sale this replica knows: no I/O and no buyer
    /// needed, so it is answered before authentication. Null when only Redis can answer.
    /// </summary>
    public PurchaseResult? AnswerFromMemory(string saleId)
    {
        if (registry.Find(saleId) is not { IsRestoring: false } sale)
        {
            return null;
        }

        if (AnswerFromSchedule(sale, Activity.Current) is { } scheduled)
        {
            return scheduled;
        }

        if (!sale.SoldOutInRedis)
        {
            return null;
        }

        var traced = telemetry.KeepKnownSoldOutTrace(Activity.Current);
        if (traced)
        {
            // The kept few show the local gate that answered, as any other purchase's trace does.
            TryTakeLocal(sale);
        }

        telemetry.RecordOutcome(PurchaseOutcomes.SoldOutLocal);
        return new PurchaseResult(PurchaseStatus.SoldOut, Untraced: !traced);
    }

    /// <summary>Surely before the opening or after the closing, on Redis' clock as last measured; else null (open, or too close to tell: Redis decides).</summary>
    private PurchaseResult? AnswerFromSchedule(LocalSale sale, Activity? request)
    {
        var schedule = sale.Schedule;
        PurchaseResult result;
        if (clock.IsSurelyBefore(schedule.OpensAtMs))
        {
            telemetry.RecordOutcome(PurchaseOutcomes.NotOpen);
            result = new PurchaseResult(PurchaseStatus.NotOpen, Schedule: schedule, UntilOpening: TimeSpan.FromMilliseconds(schedule.OpensAtMs - clock.NowMs));
        }
        else if (schedule.ClosesAtMs is { } closesAt && clock.IsSurelyAtOrAfter(closesAt))
        {
            telemetry.RecordOutcome(PurchaseOutcomes.Closed);
            result = new PurchaseResult(PurchaseStatus.Closed, Schedule: schedule);
        }
        else
        {
            return null;
        }

        // The crowd waiting for the bell asks again and again: like a known "sold out", only a share keeps its trace.
        return result with { Untraced = !telemetry.KeepKnownSoldOutTrace(request) };
    }

    private async ValueTask<LocalTake> TakeLocalAsync(LocalSale sale)
    {
        for (var refills = 0; ; refills++)
        {
            if (TryTakeLocal(sale))
            {
                return LocalTake.Taken;
            }

            // Only Redis' word turns a buyer away for good; a slice merely dry sends them back to retry.
            if (sale.SoldOutInRedis)
            {
                return LocalTake.SoldOut;
            }

            if (refills == MaxRefillsPerPurchase)
            {
                return LocalTake.Dry;
            }

            switch (await refiller.RefillAsync(sale, out var retryIn))
            {
                case RefillResult.Granted:
                    // Purchases that waited on the same refill share its units; the rest wait for the next one.
                    continue;
                case RefillResult.TooSoon:
                    await Task.Delay(retryIn);
                    continue;
                case RefillResult.SoldOut:
                    return LocalTake.SoldOut;
                case RefillResult.EpochChanged:
                    return LocalTake.EpochChanged;
                case RefillResult.Restoring:
                    return LocalTake.Restoring;
                default:
                    return LocalTake.Unavailable;
            }
        }
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

    /// <summary>The purchase's answer, or null when the sale changed epoch (or vanished) and must be re-read.</summary>
    private async ValueTask<PurchaseResult?> DeductRemoteAsync(LocalSale sale, string userId)
    {
        using var activity = StockTelemetry.ActivitySource.StartActivity(StockTelemetry.RemoteDeductSpan);
        activity?.SetTag("spike.sale", sale.SaleId);
        activity?.SetTag("spike.replica", replica.Id);

        // Redis failed repeatedly: answering now beats making this buyer wait out another timeout.
        if (!breaker.TryEnter(out var ticket))
        {
            sale.Stock.Return();
            activity?.SetTag("spike.result", PurchaseOutcomes.BreakerOpen);
            telemetry.RecordOutcome(PurchaseOutcomes.BreakerOpen);
            return new PurchaseResult(PurchaseStatus.Unavailable);
        }

        var started = Stopwatch.GetTimestamp();
        var deduction = await store.DeductAsync(sale.SaleId, sale.Epoch, userId, replica.Id, _paymentWindow);
        breaker.Exit(ticket, answered: deduction.Failure is null);

        // Only a sale keeps the unit taken from the slice; a lost answer keeps it until a sync says whether Redis sold it.
        string outcome;
        PurchaseResult? result;
        switch (deduction.Status)
        {
            case DeductionStatus.Created:
                sale.RecordSale();
                if (deduction.SoldLastUnit)
                {
                    sale.MarkSoldOutInRedis(deduction.Seq);
                }

                (outcome, result) = (PurchaseOutcomes.Success, new PurchaseResult(PurchaseStatus.Created, deduction.OrderId));
                break;
            case DeductionStatus.Existing:
                sale.Stock.Return();
                (outcome, result) = (PurchaseOutcomes.Existing, new PurchaseResult(PurchaseStatus.Existing, deduction.OrderId));
                break;
            case DeductionStatus.SoldOut:
                sale.MarkSoldOutInRedis(deduction.Seq);
                (outcome, result) = (PurchaseOutcomes.SoldOutRemote, new PurchaseResult(PurchaseStatus.SoldOut));
                break;
            case DeductionStatus.NoSale:
                sale.Stock.Return();
                (outcome, result) = (PurchaseOutcomes.NoSale, null);
                break;
            case DeductionStatus.EpochChanged:
                sale.Stock.Return();
                (outcome, result) = ("stale_epoch", null);
                break;
            case DeductionStatus.NotOpenYet:
                // This replica's reading of Redis' clock ran a little ahead; Redis' own clock decides.
                sale.Stock.Return();
                (outcome, result) = (PurchaseOutcomes.NotOpen, new PurchaseResult(PurchaseStatus.NotOpen, Schedule: sale.Schedule,
                    UntilOpening: TimeSpan.FromMilliseconds(Math.Max(0, sale.Schedule.OpensAtMs - deduction.RedisNowMs))));
                break;
            case DeductionStatus.Ended:
                sale.Stock.Return();
                (outcome, result) = (PurchaseOutcomes.Closed, new PurchaseResult(PurchaseStatus.Closed, Schedule: sale.Schedule));
                break;
            case DeductionStatus.Closed:
                sale.Stock.Return();
                sale.MarkRestoring();
                (outcome, result) = (PurchaseOutcomes.Restoring, new PurchaseResult(PurchaseStatus.Restoring));
                break;
            case DeductionStatus.InDoubt:
                sale.HoldInDoubt(new PendingPurchase(userId, deduction.OrderId!));
                (outcome, result) = (PurchaseOutcomes.Error, new PurchaseResult(PurchaseStatus.Unavailable));
                break;
            default:
                sale.Stock.Return();
                (outcome, result) = (PurchaseOutcomes.Error, new PurchaseResult(PurchaseStatus.Unavailable));
                break;
        }

        if (activity is not null)
        {
            activity.SetTag("spike.result", outcome);
            activity.SetTag("spike.order", result?.OrderId);
            if (deduction.Failure is { } failure)
            {
                activity.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
            }
        }

        telemetry.RecordRemoteDuration(Stopwatch.GetElapsedTime(started), outcome);
        if (result is null)
        {
            return null;
        }

        if (deduction.Failure is { } redisFailure)
        {
            ReportRedisFailure(sale.SaleId, redisFailure);
        }

        telemetry.RecordOutcome(outcome);
        return result;
    }

    /// <summary>Reads the sale from Redis: one it never saw, or one whose epoch changed under a purchase.</summary>
    private async Task<LocalSale?> LoadAsync(string saleId) =>
        (await breaker.CallAsync(() => registry.RefreshAsync(saleId)))?.Local;

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

        LogRedisUnavailable(saleId, Interlocked.Exchange(ref _unreportedFailures, 0), exception);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Redis unavailable for a purchase on sale {SaleId} ({UnreportedFailures} more failures since the last report)")]
    private partial void LogRedisUnavailable(string saleId, int unreportedFailures, Exception exception);
}
