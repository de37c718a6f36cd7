namespace Aspire.Hosting.ApplicationModel;

/// <summary>This machine's <c>redis-server</c>: 127.0.0.1 only, a password, an append-only file fsynced on every write.</summary>
public sealed class LocalRedisResource(string name, string command, string dataDirectory, ParameterResource password)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    /// <summary>The endpoint the server listens on.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new EndpointReference(this, PrimaryEndpointName);

    /// <summary>The password the server requires.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The folder of its <c>redis.conf</c> and append-only file.</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>As Aspire's Redis container gives it; 127.0.0.1, not localhost, so no client tries ::1 first.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={PasswordParameter}");
}
