namespace Aspire.Hosting.ApplicationModel;

/// <summary>This machine's PostgreSQL server: 127.0.0.1 only, a generated superuser password, fsync and synchronous commit.</summary>
public sealed class LocalPostgresResource(string name, string command, string dataDirectory, ParameterResource password)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    /// <summary>The superuser, named as in Aspire's container.</summary>
    public const string UserName = "postgres";

    private readonly List<LocalPostgresDatabaseResource> _databases = [];

    /// <summary>The endpoint the server listens on.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new EndpointReference(this, PrimaryEndpointName);

    /// <summary>The password of <see cref="UserName"/>.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The server's cluster.</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The databases created when the server is ready, if missing.</summary>
    public IReadOnlyList<LocalPostgresDatabaseResource> Databases => _databases;

    /// <summary>The server's address and superuser login; 127.0.0.1, not localhost, so no client tries ::1 first.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");

    internal void AddDatabase(LocalPostgresDatabaseResource database) => _databases.Add(database);
}
