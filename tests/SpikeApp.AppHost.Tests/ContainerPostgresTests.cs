using Aspire.Hosting.ApplicationModel;
using SpikeApp.AppHost.Postgres;

namespace SpikeApp.AppHost.Tests;

/// <summary>Container mode cannot start here (no container engine), but the model the AppHost builds for it can be read.</summary>
public class ContainerPostgresTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ContainerPostgresKeepsItsClusterInTheRunsDataFolder()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var dataRoot = Directory.CreateTempSubdirectory("spikeapp-container-test-").FullName;
        try
        {
            await using var appHost = await ContainerModeAppHost.CreateAsync(dataRoot, timeout.Token);
            var postgres = Assert.Single(appHost.Resources.OfType<PostgresServerResource>());
            var orders = Assert.Single(appHost.Resources.OfType<PostgresDatabaseResource>());
            var mount = Assert.Single(postgres.Annotations.OfType<ContainerMountAnnotation>());

            Assert.Equal(("postgres", "orders", "orders"), (postgres.Name, orders.Name, orders.DatabaseName));
            Assert.Same(postgres, orders.Parent);
            Assert.Equal((Path.Combine(dataRoot, "postgres"), "/var/lib/postgresql", false), (mount.Source, mount.Target, mount.IsReadOnly));
            Assert.Empty(appHost.Resources.OfType<LocalPostgresResource>());
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }
}
