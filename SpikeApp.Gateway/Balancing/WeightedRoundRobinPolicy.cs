using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace SpikeApp.Gateway.Balancing;

/// <summary>
/// nginx's smooth weighted round robin, one pick per request (never per connection). The order of picks is computed once
/// per set of available destinations, so a pick is one interlocked increment.
/// </summary>
internal sealed class WeightedRoundRobinPolicy : ILoadBalancingPolicy
{
    public const string PolicyName = "WeightedRoundRobin";
    public const string WeightMetadata = "Weight";
    public const int MaxWeight = 100;

    private readonly ConditionalWeakTable<ClusterState, Rotation> _rotations = new();

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations) =>
        availableDestinations.Count == 0 ? null : _rotations.GetValue(cluster, static _ => new Rotation()).Next(availableDestinations);

    /// <summary>A destination's weight; <see cref="WeightsConfigFilter"/> has refused anything else at load.</summary>
    public static int WeightOf(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(WeightMetadata, out var text) && int.TryParse(text, out var weight) ? weight : 1;

    internal static DestinationState[] SmoothOrder(IReadOnlyList<DestinationState> destinations)
    {
        var weights = destinations.Select(destination => WeightOf(destination.Model?.Config.Metadata)).ToArray();
        var total = weights.Sum();
        var current = new int[destinations.Count];
        var order = new DestinationState[total];
        for (var turn = 0; turn < total; turn++)
        {
            var best = 0;
            for (var i = 0; i < current.Length; i++)
            {
                current[i] += weights[i];
                if (current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            order[turn] = destinations[best];
        }

        return order;
    }

    private sealed class Rotation
    {
        private Plan? _plan;
        private long _turn = -1;

        public DestinationState Next(IReadOnlyList<DestinationState> available)
        {
            var plan = Volatile.Read(ref _plan);
            // YARP hands out a new list whenever health changes the available set.
            if (plan is null || !ReferenceEquals(plan.Available, available))
            {
                plan = new Plan(available, SmoothOrder(available));
                Volatile.Write(ref _plan, plan);
            }

            var turn = Interlocked.Increment(ref _turn);
            return plan.Order[turn % plan.Order.Length];
        }
    }

    private sealed record Plan(IReadOnlyList<DestinationState> Available, DestinationState[] Order);
}
