using System.Diagnostics;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>
/// Each purchase starts its own trace, linked to the run's span, so the dashboard shows loadgen -> api -> redis rather than
/// one trace of thousands of spans; a payment joins its purchase's trace.
/// </summary>
public static class LoadGenTelemetry
{
    public const string ActivitySourceName = "SpikeApp.LoadGen";
    public const string RunSpan = "loadgen.run";
    public const string RequestSpan = "loadgen.request";
    public const string PaymentSpan = "loadgen.payment";

    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);

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
    public static Activity? StartPurchase(string phase, string sale, string? userId, IEnumerable<ActivityLink> links) =>
        Tagged(ActivitySource.StartActivity(RequestSpan, ActivityKind.Internal, parentContext: default, links: links),
            ("spike.loadgen.phase", phase), ("spike.sale", sale), ("spike.user", userId));

    public static Activity? StartPayment(string sale, string userId, string orderId, ActivityContext purchase) =>
        Tagged(ActivitySource.StartActivity(PaymentSpan, ActivityKind.Internal, purchase),
            ("spike.sale", sale), ("spike.user", userId), ("spike.order", orderId));

    public static void Complete<TOutcome>(Activity? activity, int? statusCode, OutcomeKind<TOutcome> kind, in Classification<TOutcome> result)
        where TOutcome : struct, Enum
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("http.response.status_code", statusCode);
        activity.SetTag("spike.loadgen.outcome", kind.Name(result.Outcome).Tag);
        if (result.OrderId is { } orderId)
        {
            activity.SetTag("spike.order", orderId);
        }

        if (kind.IsError(result.Outcome))
        {
            activity.SetStatus(ActivityStatusCode.Error, result.Problem);
        }
    }

    private static Activity? Tagged(Activity? activity, params ReadOnlySpan<(string Key, string? Value)> tags)
    {
        if (activity is { IsAllDataRequested: true })
        {
            foreach (var (key, value) in tags)
            {
                activity.SetTag(key, value);
            }
        }

        return activity;
    }
}
