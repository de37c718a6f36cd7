namespace SpikeApp.AppHost.Redis;

/// <summary>
/// A <c>redis-server</c> process on this machine, for developers and CI without a container runtime.
/// It listens on 127.0.0.1 only, requires a password and keeps an append-only file fsynced on every write.
/// </summary>
public sealed class LocalRedisResource(string name, string command, string dataDirectory, ParameterResource password)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new EndpointReference(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public string DataDirectory { get; } = dataDirectory;

    // The server binds 127.0.0.1 only; naming the address avoids a client trying ::1 first.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={PasswordParameter}");
}
