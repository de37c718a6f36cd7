namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A <c>redis-server</c> process on this machine, for developers and CI without a container runtime.
/// It listens on 127.0.0.1 only, requires a password and keeps an append-only file fsynced on every write.
/// </summary>
/// <param name="name">The resource name, also the name of its connection string.</param>
/// <param name="command">The <c>redis-server</c> executable.</param>
/// <param name="dataDirectory">The folder the server keeps its <c>redis.conf</c> and append-only file in.</param>
/// <param name="password">The password the server requires.</param>
public sealed class LocalRedisResource(string name, string command, string dataDirectory, ParameterResource password)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    /// <summary>The endpoint the server listens on.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new EndpointReference(this, PrimaryEndpointName);

    /// <summary>The password the server requires.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The folder the server keeps its data in.</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The server's address and password, in the StackExchange.Redis format Aspire's Redis container uses.</summary>
    // The server binds 127.0.0.1 only; naming the address avoids a client trying ::1 first.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={PasswordParameter}");
}
