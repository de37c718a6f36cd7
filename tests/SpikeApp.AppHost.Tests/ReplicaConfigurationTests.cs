namespace SpikeApp.AppHost.Tests;

/// <summary>What the AppHost passes each replica, read from its model.</summary>
public class ReplicaConfigurationTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task AReplicaIdGivenToTheAppHostLeavesEachReplicaItsOwn()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var settings = new List<(string Name, string ReplicaId, string BufferRatio)>();
        await ContainerModeModel.InspectAsync(["Spike:ReplicaId=everyone", "Spike:BufferRatio=0.5"], async appHost =>
        {
            foreach (var replica in appHost.Resources.OfType<ProjectResource>().Where(resource => resource.Name.StartsWith("api-", StringComparison.Ordinal)))
            {
                var environment = await ContainerModeModel.EnvironmentOfAsync(replica);
                settings.Add((replica.Name, (string)environment["Spike__ReplicaId"], (string)environment["Spike__BufferRatio"]));
            }
        }, timeout.Token);

        // The per-replica id stays each replica's own; every other Spike setting still reaches them all.
        Assert.Equal([("api-1", "api-1", "0.5"), ("api-2", "api-2", "0.5"), ("api-3", "api-3", "0.5")], settings);
    }

    [Fact]
    public async Task NoReplicaIsToldHowManyReplicasThereAre()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var replicas = new List<(string Name, bool ToldTheCount)>();
        await ContainerModeModel.InspectAsync(["Spike:Replicas=2"], async appHost =>
        {
            foreach (var replica in appHost.Resources.OfType<ProjectResource>().Where(resource => resource.Name.StartsWith("api-", StringComparison.Ordinal)))
            {
                var environment = await ContainerModeModel.EnvironmentOfAsync(replica);
                replicas.Add((replica.Name, environment.Keys.Any(key => key.Equals("Spike__Replicas", StringComparison.OrdinalIgnoreCase))));
            }
        }, timeout.Token);

        // The AppHost runs two; each replica learns how many share a sale from Redis' membership, which scaling keeps true.
        Assert.Equal([("api-1", false), ("api-2", false)], replicas);
    }
}
