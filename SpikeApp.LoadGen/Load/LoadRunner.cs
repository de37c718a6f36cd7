using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Latency;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>
/// Sends a phase's requests from -c workers, each with at most one request in flight, so never more than -c are
/// outstanding and each worker keeps reusing a keep-alive connection. Workers claim request numbers from a shared
/// counter; nothing on this path takes a lock.
/// </summary>
public sealed class LoadRunner(HttpClient http, LoadGenOptions options)
{
    /// <summary>API answers are a few hundred bytes; a larger body is read past and classified on its start.</summary>
    private const int BodyBufferBytes = 4096;

    private readonly Uri _target = options.Mode == LoadMode.Seed
        ? new Uri("buy/skill", UriKind.Relative)
        : new Uri($"api/sales/{options.Sale}/purchases", UriKind.Relative);

    public async Task<PhaseResult> RunAsync(LoadPhase phase, RunCounters counters, OrderBook orders, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(orders);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(phase.Duration);
        var cursor = new Cursor(phase.Requests);
        var latency = new LatencyRecorder();
        ActivityLink[] runLink = Activity.Current is { } run ? [new ActivityLink(run.Context)] : [];

        var started = Stopwatch.GetTimestamp();
        var workers = new Task[Math.Min(phase.Concurrency, phase.Requests)];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = WorkAsync(phase, cursor, counters, latency, orders, runLink, deadline.Token);
        }

        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var stoppedBy = cursor.AllClaimed ? StopReason.Count
            : stop.IsCancellationRequested ? StopReason.Interrupted
            : StopReason.Duration;
        return new PhaseResult(phase.Name, phase.Requests, counters.Total, elapsed, stoppedBy, counters.Snapshot(), counters.Problems(), latency.Summarize(),
            phase.PayRatio > 0 ? new PaymentResult(counters.PaymentSnapshot(), counters.PaymentProblems()) : null);
    }

    private async Task WorkAsync(
        LoadPhase phase, Cursor cursor, RunCounters counters, LatencyRecorder latency, OrderBook orders, ActivityLink[] runLink, CancellationToken stop)
    {
        // Only this worker's flow: each purchase starts its own trace instead of joining the run's.
        Activity.Current = null;
        var buffer = new byte[BodyBufferBytes];
        var timeout = new CancellationTokenSource();
        try
        {
            while (!stop.IsCancellationRequested && cursor.TryClaim(out var index))
            {
                var userId = options.Mode == LoadMode.Api ? phase.BuyerFor(index) : null;
                var (result, trace) = await SendAsync(phase.Name, userId, buffer, latency, runLink, timeout);
                timeout = Renew(timeout);
                counters.Record(result);
                if (userId is null || result.OrderId is not { } orderId)
                {
                    continue;
                }

                orders.Record(userId, orderId);
                // Only a new order is paid for: a buyer who comes back to an order they abandoned leaves it abandoned.
                if (result.Outcome == Outcome.Success && phase.Pays(index))
                {
                    var payment = await PayAsync(userId, orderId, buffer, trace, timeout);
                    timeout = Renew(timeout);
                    counters.RecordPayment(payment);
                    orders.RecordPayment(orderId, payment.Outcome);
                }
            }
        }
        finally
        {
            timeout.Dispose();
        }
    }

    /// <summary>A source whose timer did not fire is reused, so the loop allocates no timer per request.</summary>
    private static CancellationTokenSource Renew(CancellationTokenSource timeout)
    {
        if (timeout.TryReset())
        {
            return timeout;
        }

        timeout.Dispose();
        return new CancellationTokenSource();
    }

    private async Task<(Classification Result, ActivityContext Trace)> SendAsync(
        string phase, string? userId, byte[] buffer, LatencyRecorder latency, ActivityLink[] runLink, CancellationTokenSource timeout)
    {
        using var activity = LoadGenTelemetry.StartRequest(phase, options.Sale, userId, runLink);
        using var request = CreateRequest(userId);
        int? statusCode = null;
        Classification result;
        var started = Stopwatch.GetTimestamp();

        // Only the per-request timeout cancels a request: on a stop, requests in flight finish so their outcome is known.
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var length = await ReadBodyAsync(response, buffer, timeout.Token);
            latency.Record(Stopwatch.GetElapsedTime(started));
            statusCode = (int)response.StatusCode;
            result = OutcomeClassifier.Classify(options.Mode, statusCode.Value, buffer.AsSpan(0, length));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            result = new Classification(Outcome.Unanswered, Problem: "timeout");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Refused connections, resets, unresolvable service names: the report counts them, the run goes on.
            result = OutcomeClassifier.Unanswered(ex);
        }

        LoadGenTelemetry.Complete(activity, statusCode, result);
        return (result, activity?.Context ?? default);
    }

    /// <summary>Pays the order under a made-up payment reference, in the purchase's trace; payments stay out of the latency figures.</summary>
    private async Task<PaymentClassification> PayAsync(string userId, string orderId, byte[] buffer, ActivityContext purchase, CancellationTokenSource timeout)
    {
        using var activity = LoadGenTelemetry.StartPayment(options.Sale, userId, orderId, purchase);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/sales/{options.Sale}/orders/{Uri.EscapeDataString(orderId)}/payment", UriKind.Relative))
        {
            Content = JsonContent.Create(new PaymentRequest(userId, PaymentReference(orderId)), LoadGenJsonContext.Default.PaymentRequest),
        };
        int? statusCode = null;
        PaymentClassification result;
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var length = await ReadBodyAsync(response, buffer, timeout.Token);
            statusCode = (int)response.StatusCode;
            result = OutcomeClassifier.ClassifyPayment(statusCode.Value, buffer.AsSpan(0, length));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            result = new PaymentClassification(PaymentOutcome.OtherError, "timeout");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = OutcomeClassifier.UnansweredPayment(ex);
        }

        LoadGenTelemetry.CompletePayment(activity, statusCode, result);
        return result;
    }

    /// <summary>Unique per order, and within the API's id alphabet and length (its order ids are 24 hex digits).</summary>
    private static string PaymentReference(string orderId) => orderId.Length <= 57 ? "lg-pay-" + orderId : orderId;

    private HttpRequestMessage CreateRequest(string? userId)
    {
        if (userId is null)
        {
            return new HttpRequestMessage(HttpMethod.Get, _target);
        }

        // Buyer ids are [A-Za-z0-9_-] by construction, so they need no JSON escaping.
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"userId\":\"" + userId + "\"}"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, _target) { Content = content };
    }

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

    /// <summary>Hands out request numbers 0..count-1 to the workers.</summary>
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
