namespace SpikeApp.AppHost.Tests;

/// <summary>
/// The AppHost's model, built in container mode, which needs no server to start; each data folder is named, under a
/// folder of the test's own, so that nothing is left in the temp folder.
/// </summary>
internal static class ContainerModeModel
{
    public static async Task InspectAsync(string[] settings, Func<IDistributedApplicationTestingBuilder, Task> inspect, CancellationToken cancellationToken)
    {
        var dataRoot = Directory.CreateTempSubdirectory("spikeapp-model-test-").FullName;
        try
        {
            await using var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SpikeApp_AppHost>(
            [
                .. settings,
                "Redis:Mode=container",
                $"Redis:DataDirectory={Path.Combine(dataRoot, "redis")}",
                "Postgres:Mode=container",
                $"Postgres:DataDirectory={Path.Combine(dataRoot, "postgres")}",
            ], cancellationToken);
            await inspect(appHost);
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }

    /// <summary>A resource's environment as its callbacks write it in publish mode: literal values, and the parameters themselves.</summary>
    public static async Task<Dictionary<string, object>> EnvironmentOfAsync(IResourceWithEnvironment resource)
    {
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), resource, []);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return new Dictionary<string, object>(context.EnvironmentVariables, StringComparer.Ordinal);
    }
}
