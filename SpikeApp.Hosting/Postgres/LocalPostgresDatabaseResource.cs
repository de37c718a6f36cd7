namespace Aspire.Hosting.ApplicationModel;

/// <summary>A database of a <see cref="LocalPostgresResource"/>, created when the server is ready if missing.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    /// <summary>The server.</summary>
    public LocalPostgresResource Parent { get; } = parent;

    /// <summary>The database's name in the server.</summary>
    public string DatabaseName { get; } = databaseName;

    /// <summary>The server's connection string with this database.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}
