using System.Diagnostics;
using System.Net.Http.Json;
using SpikeApp.Contracts;
using SpikeApp.Contracts.Sales;
using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Buyers;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Latency;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>-c workers, one request in flight each, so each keeps reusing its keep-alive connection; nothing here takes a lock.</summary>
public sealed class LoadRunner(HttpClient http, LoadGenOptions options)
{
    /// <summary>API answers are a few hundred bytes; a larger body is read past and classified on its start.</summary>
    private const int BodyBufferBytes = 4096;

    private readonly Uri _purchases = options.Mode == LoadMode.Seed
        ? new Uri("buy/skill", UriKind.Relative)
        : new Uri($"api/sales/{options.Sale}/purchases", UriKind.Relative);

    private readonly Uri _connect = new($"api/sales/{options.Sale}/purchases", UriKind.Relative);

    private readonly Classifier<Outcome> _classifyPurchase = (statusCode, body) => OutcomeClassifier.Classify(options.Mode, statusCode, body);

    /// <param name="buyers">Api mode: the token of every buyer of <paramref name="phase"/>; seed mode: none.</param>
    /// <param name="stampede">With an opening: every worker connects first, all wait for it, and --duration counts from it.</param>
    public async Task<PhaseResult> RunAsync(
        LoadPhase phase, BuyerTokens buyers, RunCounters counters, OrderBook orders, CancellationToken stop, Stampede? stampede = null)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(buyers);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(orders);

        var workers = new Task[Math.Min(phase.Concurrency, phase.Requests)];
        if (stampede is not null)
        {
            await Task.WhenAll(Enumerable.Range(0, workers.Length).Select(_ => ConnectAsync(stampede, stop)));
            await stampede.WaitAsync(stop);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(phase.Duration);
        var cursor = new Cursor(phase.Requests);
        var latency = new LatencyRecorder();
        ActivityLink[] runLink = Activity.Current is { } run ? [new ActivityLink(run.Context)] : [];

        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = WorkAsync(phase, buyers, cursor, counters, latency, orders, runLink, stampede, deadline.Token);
        }

        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var stoppedBy = cursor.AllClaimed ? StopReason.Count
            : stop.IsCancellationRequested ? StopReason.Interrupted
            : StopReason.Duration;
        var purchases = counters.PurchaseCounts();
        return new PhaseResult(phase.Name, phase.Requests, purchases.Total, elapsed, stoppedBy, purchases, counters.Purchases.Problems(), latency.Summarize(),
            phase.PayRatio > 0 ? new PaymentResult(counters.PaymentCounts(), counters.Payments.Problems()) : null,
            stampede?.Result(workers.Length, elapsed));
    }

    /// <summary>
    /// Opens a worker's keep-alive connection before the opening with a purchase that cannot buy: no token, so it is
    /// answered "not open" from memory (after the opening: 401), and no Redis call is made either way.
    /// </summary>
    private async Task ConnectAsync(Stampede stampede, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _connect);
            using var response = await http.SendAsync(request, timeout.Token);
            stampede.RecordConnected();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not connected: the worker connects with its first purchase instead, and the report counts it out.
        }
    }

    private async Task WorkAsync(
        LoadPhase phase, BuyerTokens buyers, Cursor cursor, RunCounters counters, LatencyRecorder latency, OrderBook orders, ActivityLink[] runLink,
        Stampede? stampede, CancellationToken stop)
    {
        // Only this worker's flow: each purchase starts its own trace instead of joining the run's.
        Activity.Current = null;
        using var worker = new Worker();
        while (!stop.IsCancellationRequested && cursor.TryClaim(out var index))
        {
            var userId = options.Mode == LoadMode.Api ? phase.BuyerFor(index) : null;
            var authorization = userId is null ? null : buyers.AuthorizationFor(userId);
            var sent = Stopwatch.GetTimestamp();
            var (purchase, trace) = await PurchaseAsync(phase.Name, userId, authorization, runLink, worker, latency);
            counters.RecordPurchase(purchase);
            stampede?.Record(sent, Stopwatch.GetTimestamp(), purchase.Outcome);
            if (userId is null || authorization is null || purchase.OrderId is not { } orderId)
            {
                continue;
            }

            orders.Record(userId, orderId);
            // Only a new order is paid for: a buyer who comes back to an order they abandoned leaves it abandoned.
            if (purchase.Outcome == Outcome.Success && phase.Pays(index))
            {
                var payment = await PayAsync(userId, authorization, orderId, trace, worker);
                counters.Payments.Record(payment);
                orders.RecordPayment(orderId, payment.Outcome);
            }
        }
    }

    private async Task<(Classification<Outcome> Result, ActivityContext Trace)> PurchaseAsync(
        string phase, string? userId, string? authorization, ActivityLink[] runLink, Worker worker, LatencyRecorder latency)
    {
        using var activity = LoadGenTelemetry.StartPurchase(phase, options.Sale, userId, runLink);
        using var request = PurchaseMessage(authorization);
        var result = await SendAsync(request, activity, OutcomeKinds.Purchase, _classifyPurchase, worker, latency);
        return (result, activity?.Context ?? default);
    }

    /// <summary>Pays the order under a made-up payment reference, in the purchase's trace; payments stay out of the latency figures.</summary>
    private async Task<Classification<PaymentOutcome>> PayAsync(string userId, string authorization, string orderId, ActivityContext purchase, Worker worker)
    {
        using var activity = LoadGenTelemetry.StartPayment(options.Sale, userId, orderId, purchase);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/sales/{options.Sale}/orders/{Uri.EscapeDataString(orderId)}/payment", UriKind.Relative))
        {
            Content = JsonContent.Create(new PaymentRequest(UserId: null, PaymentReference(orderId)), RequestBodiesJsonContext.Default.PaymentRequest),
        };
        Authorize(request, authorization);
        return await SendAsync(request, activity, OutcomeKinds.Payment, OutcomeClassifier.ClassifyPayment, worker, latency: null);
    }

    private async Task<Classification<TOutcome>> SendAsync<TOutcome>(
        HttpRequestMessage request, Activity? activity, OutcomeKind<TOutcome> kind, Classifier<TOutcome> classify, Worker worker, LatencyRecorder? latency)
        where TOutcome : struct, Enum
    {
        var timeout = worker.Timeout;
        int? statusCode = null;
        Classification<TOutcome> result;
        var started = Stopwatch.GetTimestamp();

        // Only the per-request timeout cancels a request: on a stop, requests in flight finish so their outcome is known.
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var length = await ReadBodyAsync(response, worker.Buffer, timeout.Token);
            latency?.Record(Stopwatch.GetElapsedTime(started));
            statusCode = (int)response.StatusCode;
            result = classify(statusCode.Value, worker.Buffer.AsSpan(0, length));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            result = kind.Unanswered("timeout");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Refused connections, resets, unresolvable service names: the report counts them, the run goes on.
            result = OutcomeClassifier.Unanswered(kind, ex);
        }

        worker.RenewTimeout();
        LoadGenTelemetry.Complete(activity, statusCode, kind, result);
        return result;
    }

    /// <summary>Unique per order and within the API's id rules: an order id too long to prefix is used as it is.</summary>
    private static string PaymentReference(string orderId) => "lg-pay-" + orderId is { Length: <= Ids.MaxLength } reference ? reference : orderId;

    /// <summary>Seed mode: an anonymous GET. Api mode: a POST without a body, the buyer named by the token alone.</summary>
    private HttpRequestMessage PurchaseMessage(string? authorization)
    {
        if (authorization is null)
        {
            return new HttpRequestMessage(HttpMethod.Get, _purchases);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _purchases);
        Authorize(request, authorization);
        return request;
    }

    /// <summary>The header as minted, unparsed: shared by all of a buyer's requests, it is written as is.</summary>
    private static void Authorize(HttpRequestMessage request, string authorization) =>
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

    /// <summary>Reads the body into the worker's buffer; anything beyond it is read and dropped so the connection can be reused.</summary>
    private static async Task<int> ReadBodyAsync(HttpResponseMessage response, byte[] buffer, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length == buffer.Length)
        {
            var discard = new byte[BodyBufferBytes];
            while (await body.ReadAsync(discard, cancellationToken) > 0)
            {
            }
        }

        return length;
    }

    private delegate Classification<TOutcome> Classifier<TOutcome>(int statusCode, ReadOnlySpan<byte> body) where TOutcome : struct, Enum;

    /// <summary>A worker's body buffer and timeout source, reused from one request to the next so that a request allocates neither.</summary>
    private sealed class Worker : IDisposable
    {
        public byte[] Buffer { get; } = new byte[BodyBufferBytes];

        public CancellationTokenSource Timeout { get; private set; } = new();

        /// <summary>A source whose timer did not fire is reset; only one that fired is replaced.</summary>
        public void RenewTimeout()
        {
            if (!Timeout.TryReset())
            {
                Timeout.Dispose();
                Timeout = new CancellationTokenSource();
            }
        }

        public void Dispose() => Timeout.Dispose();
    }

    private sealed class Cursor(int count)
    {
        private long _next;

        public bool AllClaimed => Volatile.Read(ref _next) >= count;

        public bool TryClaim(out long index)
        {
            index = Interlocked.Increment(ref _next) - 1;
            return index < count;
        }
    }
}
