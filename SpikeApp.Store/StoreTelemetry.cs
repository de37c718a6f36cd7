using System.Diagnostics;

namespace SpikeApp.Store;

public static class StoreTelemetry
{
    public const string ActivitySourceName = "SpikeApp.Store";

    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>None outside a traced operation: background polls would bury the purchases under root spans.</summary>
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
