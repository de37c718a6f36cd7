namespace SpikeApp.AppHost.Postgres;

/// <summary>
/// A PostgreSQL server of this machine, for developers and CI without a container runtime. It listens on 127.0.0.1
/// only, logs its superuser in with a generated password (scram-sha-256) and commits durably (fsync, synchronous commit).
/// </summary>
public sealed class LocalPostgresResource(string name, string command, string dataDirectory, ParameterResource password)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    /// <summary>The superuser, named as in Aspire's container.</summary>
    public const string UserName = "postgres";

    private readonly List<LocalPostgresDatabaseResource> _databases = [];

    public EndpointReference PrimaryEndpoint => field ??= new EndpointReference(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The databases created when the server is ready, if missing.</summary>
    public IReadOnlyList<LocalPostgresDatabaseResource> Databases => _databases;

    // The shape of Aspire's PostgresServerResource. The server binds 127.0.0.1 only; naming the address avoids a client trying ::1 first.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");

    internal void AddDatabase(LocalPostgresDatabaseResource database) => _databases.Add(database);
}
