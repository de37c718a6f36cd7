namespace SpikeApp.AppHost.Redis;

/// <summary>Where Redis comes from: <c>Redis:Mode</c> in the AppHost's configuration.</summary>
public enum RedisMode
{
    /// <summary>A container when a container runtime answers, else <c>redis-server</c> from PATH.</summary>
    Auto,

    /// <summary>Aspire's Redis container.</summary>
    Container,

    /// <summary><c>redis-server</c> from PATH, run as an executable resource.</summary>
    Local,
}
