namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A PostgreSQL server of this machine, for developers and CI without a container runtime. It listens on 127.0.0.1
/// only, logs its superuser in with a generated password (scram-sha-256) and commits durably (fsync, synchronous commit).
/// </summary>
/// <param name="name">The resource name, also the name of its connection string.</param>
/// <param name="command">What starts the server: <c>postgres</c> itself, or what runs it as the right user.</param>
/// <param name="dataDirectory">The server's cluster.</param>
/// <param name="password">The password of <see cref="UserName"/>.</param>
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

    /// <summary>The server's address and superuser login, without a database.</summary>
    // The shape of Aspire's PostgresServerResource. The server binds 127.0.0.1 only; naming the address avoids a client trying ::1 first.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");

    internal void AddDatabase(LocalPostgresDatabaseResource database) => _databases.Add(database);
}
