using SpikeApp.Gateway.Balancing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace SpikeApp.Gateway.Tests;

public class BalancingTests
{
    [Fact]
    public void WeightsShareEveryRoundExactlyAndSmoothly()
    {
        var destinations = Destinations(("api-1", 2), ("api-2", 1), ("api-3", 1));

        var order = WeightedRoundRobinPolicy.SmoothOrder(destinations).Select(destination => destination.DestinationId);

        Assert.Equal(["api-1", "api-2", "api-3", "api-1"], order);
    }

    [Fact]
    public void WithoutWeightsEachDestinationGetsItsTurn()
    {
        var destinations = Destinations(("api-1", null), ("api-2", null), ("api-3", null));
        var policy = new WeightedRoundRobinPolicy();
        var cluster = new ClusterState("api");

        var picks = Enumerable.Range(0, 300).Select(_ => policy.PickDestination(null!, cluster, destinations)!.DestinationId).ToList();

        Assert.Equal(["api-1", "api-2", "api-3"], picks.Take(3));
        Assert.All(picks.GroupBy(id => id), group => Assert.Equal(100, group.Count()));
    }

    [Fact]
    public async Task EachRequestOfOneKeepAliveClientIsBalancedByWeight()
    {
        await using var heavy = await Backend.StartAsync("heavy");
        await using var light = await Backend.StartAsync("light");
        await using var gateway = new GatewayHost([("heavy", heavy.Address, 3), ("light", light.Address, null)]);
        using var client = gateway.Start();

        for (var request = 0; request < 40; request++)
        {
            (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        }

        Assert.Equal((30, 10), (heavy.Served, light.Served));
    }

    [Fact]
    public async Task AWeightThatIsNotAWholeNumberFrom1To100StopsTheGateway()
    {
        await using var gateway = new GatewayHost([("api-1", "http://127.0.0.1:1", 0)]);

        var failure = Assert.ThrowsAny<Exception>(() => gateway.Start());

        Assert.Matches(@"Destination 'api-1\S*' of cluster 'api' has weight '0'", failure.ToString());
    }

    private static DestinationState[] Destinations(params (string Id, int? Weight)[] destinations) =>
        [.. destinations.Select(destination => new DestinationState(destination.Id, new DestinationModel(new DestinationConfig
        {
            Address = "http://127.0.0.1:1",
            Metadata = destination.Weight is int weight ? new Dictionary<string, string> { ["Weight"] = weight.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null,
        })))];
}
