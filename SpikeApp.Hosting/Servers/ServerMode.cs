namespace SpikeApp.Hosting.Servers;

/// <summary>Where a server comes from: the <c>Mode</c> of its section (<c>Redis:Mode</c>, <c>Postgres:Mode</c>).</summary>
internal enum ServerMode
{
    /// <summary>A container when a container runtime answers, else the server installed on this machine.</summary>
    Auto,

    /// <summary>Aspire's container for the server.</summary>
    Container,

    /// <summary>The server installed on this machine, run as an executable resource.</summary>
    Local,
}
