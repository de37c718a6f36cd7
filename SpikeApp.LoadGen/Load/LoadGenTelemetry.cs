using System.Diagnostics;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>
/// A <c>loadgen.run</c> span for the whole run, and a <c>loadgen.request</c> span per purchase that starts its own trace
/// (linked to the run) so the dashboard shows each purchase as loadgen -> api -> redis rather than one trace of
/// thousands of spans. A <c>loadgen.payment</c> span joins its purchase's trace.
/// </summary>
public static class LoadGenTelemetry
{
    public const string ActivitySourceName = "SpikeApp.LoadGen";
    public const string RunSpan = "loadgen.run";
    public const string RequestSpan = "loadgen.request";
    public const string PaymentSpan = "loadgen.payment";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public static Activity? StartRun(LoadGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ActivitySource.StartActivity(RunSpan, ActivityKind.Internal)
            ?.SetTag("spike.sale", options.Sale)
            ?.SetTag("spike.loadgen.mode", options.Mode == LoadMode.Seed ? "seed" : "api")
            ?.SetTag("spike.loadgen.requests", options.Requests)
            ?.SetTag("spike.loadgen.concurrency", options.Concurrency)
            ?.SetTag("spike.loadgen.pay_ratio", options.PayRatio);
    }

    /// <summary>Starts a root span; the caller has cleared <see cref="Activity.Current"/> so the run does not become its parent.</summary>
    public static Activity? StartRequest(string phase, string sale, string? userId, IEnumerable<ActivityLink> links)
    {
        var activity = ActivitySource.StartActivity(RequestSpan, ActivityKind.Internal, parentContext: default, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("spike.loadgen.phase", phase);
            activity.SetTag("spike.sale", sale);
            activity.SetTag("spike.user", userId);
        }

        return activity;
    }

    public static void Complete(Activity? activity, int? statusCode, in Classification result)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("http.response.status_code", statusCode);
        activity.SetTag("spike.loadgen.outcome", OutcomeNames.Tag(result.Outcome));
        activity.SetTag("spike.order", result.OrderId);
        if (result.Outcome is Outcome.OtherError or Outcome.Unanswered)
        {
            activity.SetStatus(ActivityStatusCode.Error, result.Problem);
        }
    }

    /// <summary>Starts a payment span under the purchase's span, so purchase and payment read as one trace.</summary>
    public static Activity? StartPayment(string sale, string userId, string orderId, ActivityContext purchase)
    {
        var activity = ActivitySource.StartActivity(PaymentSpan, ActivityKind.Internal, purchase);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("spike.sale", sale);
            activity.SetTag("spike.user", userId);
            activity.SetTag("spike.order", orderId);
        }

        return activity;
    }

    public static void CompletePayment(Activity? activity, int? statusCode, in PaymentClassification result)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("http.response.status_code", statusCode);
        activity.SetTag("spike.loadgen.outcome", OutcomeNames.Tag(result.Outcome));
        if (result.Outcome == PaymentOutcome.OtherError)
        {
            activity.SetStatus(ActivityStatusCode.Error, result.Problem);
        }
    }
}
