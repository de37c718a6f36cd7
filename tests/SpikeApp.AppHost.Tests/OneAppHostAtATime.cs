namespace SpikeApp.AppHost.Tests;

/// <summary>Each test starts a whole AppHost (Redis, replicas, DCP); on 2 cores they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneAppHostAtATime
{
    public const string Name = nameof(OneAppHostAtATime);
}
