using System.Diagnostics;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>
/// A <c>loadgen.run</c> span for the whole run, and a <c>loadgen.request</c> span per purchase that starts its own trace
/// (linked to the run) so the dashboard shows each purchase as loadgen -> api -> redis rather than one trace of
/// thousands of spans.
/// </summary>
public static class LoadGenTelemetry
{
    public const string ActivitySourceName = "SpikeApp.LoadGen";
    public const string RunSpan = "loadgen.run";
    public const string RequestSpan = "loadgen.request";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public static Activity? StartRun(LoadGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ActivitySource.StartActivity(RunSpan, ActivityKind.Internal)
            ?.SetTag("spike.sale", options.Sale)
            ?.SetTag("spike.loadgen.mode", options.Mode == LoadMode.Seed ? "seed" : "api")
            ?.SetTag("spike.loadgen.requests", options.Requests)
            ?.SetTag("spike.loadgen.concurrency", options.Concurrency);
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
}
