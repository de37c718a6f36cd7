namespace SpikeApp.Hosting.Tests;

/// <summary>Container mode cannot start here (no container engine), but the model it builds can be read.</summary>
public class ContainerPostgresTests
{
    [Fact]
    public void ContainerPostgresKeepsItsClusterInTheRunsDataFolder()
    {
        var dataRoot = Directory.CreateTempSubdirectory("spikeapp-container-test-").FullName;
        try
        {
            var builder = DistributedApplication.CreateBuilder(["Postgres:Mode=container", $"Postgres:DataDirectory={Path.Combine(dataRoot, "postgres")}"]);

            var server = builder.AddSpikePostgres("postgres");
            var orders = Assert.IsType<PostgresDatabaseResource>(server.AddSpikeDatabase("ordersdb", databaseName: "orders").Resource);
            var postgres = Assert.IsType<PostgresServerResource>(server.Resource);
            var mount = Assert.Single(postgres.Annotations.OfType<ContainerMountAnnotation>());

            Assert.Equal(("ordersdb", "orders"), (orders.Name, orders.DatabaseName));
            Assert.Same(postgres, orders.Parent);
            Assert.Equal((Path.Combine(dataRoot, "postgres"), "/var/lib/postgresql", false), (mount.Source, mount.Target, mount.IsReadOnly));
            Assert.Empty(builder.Resources.OfType<LocalPostgresResource>());
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }
}
