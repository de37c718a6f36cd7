using System.Diagnostics;

namespace SpikeApp.Store;

/// <summary>
/// A client span per Redis round trip, with the database attributes the dashboard shows as a Redis dependency.
/// Cheaper than StackExchange.Redis' profiling-based instrumentation, which holds every command for its 10 s flush
/// (see bench/README.md) and so showed a purchase's Redis call late or not at all.
/// </summary>
public static class StoreTelemetry
{
    public const string ActivitySourceName = "SpikeApp.Store";

    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>
    /// A span for a call made inside a traced operation (a purchase, a refill, a persist, an expiry); none for a
    /// background poll on its own (stream reads, expiry checks, reconciles that find nothing), which would otherwise fill
    /// the dashboard's trace list with a few root spans a second and bury the purchases.
    /// </summary>
    public static Activity? StartRedisCall(string operation, string server)
    {
        if (Activity.Current is null)
        {
            return null;
        }

        var activity = ActivitySource.StartActivity(operation, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("db.system", "redis");
            activity.SetTag("db.system.name", "redis");
            activity.SetTag("db.operation.name", operation);
            activity.SetTag("server.address", server);
        }

        return activity;
    }
}
