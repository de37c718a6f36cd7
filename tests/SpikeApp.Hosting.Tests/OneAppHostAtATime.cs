namespace SpikeApp.Hosting.Tests;

/// <summary>Each test starts a whole AppHost (DCP, redis-server, PostgreSQL); on 2 cores they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneAppHostAtATime
{
    public const string Name = nameof(OneAppHostAtATime);
}
