using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpikeApp.AppHost.Tests;

/// <summary>
/// The model the AppHost publishes (<c>--publisher manifest</c>): what a deployment would be made of. Built only, never
/// started, so no server runs.
/// </summary>
public class PublishedModelTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    private static readonly string[] Services = ["orders", "api", "gateway"];

    [Fact]
    public async Task TheManifestHoldsTheServicesAndSecretParametersOnly()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var manifest = await PublishAsync(timeout.Token);
        var resources = manifest["resources"]!.AsObject();

        // No executable (this machine's redis-server or postgres), no container with a per-run folder, no loadgen.
        Assert.Equal(
            [("admin-key", "parameter.v0"), ("api", "project.v0"), ("buyer-signing-key", "parameter.v0"), ("gateway", "project.v0"),
             ("orders", "project.v0"), ("ordersdb", "parameter.v0"), ("redis", "parameter.v0")],
            resources.Select(resource => (resource.Key, (string)resource.Value!["type"]!)).Order());

        // Supplied where the app is deployed, as secrets: nothing of them is written into the manifest.
        foreach (var name in new[] { "redis", "ordersdb", "admin-key", "buyer-signing-key" })
        {
            Assert.True((bool)resources[name]!["inputs"]!["value"]!["secret"]!, $"{name} is not a secret parameter");
            Assert.Equal($"{{{name}.inputs.value}}", (string)resources[name]!["value"]!);
        }

        var api = Environment(resources, "api");
        Assert.Equal("{redis.connectionString}", api["ConnectionStrings__redis"]);
        Assert.Equal("{admin-key.value}", api["Spike__AdminKey"]);
        Assert.Equal("{buyer-signing-key.value}", api["Authentication__Schemes__Bearer__SigningKeys__spikeapp-dev__Value"]);
        // No fixed replica count and no one replica id for every instance; nobody buys unnamed.
        Assert.DoesNotContain("Spike__Replicas", api.Keys);
        Assert.DoesNotContain("Spike__ReplicaId", api.Keys);
        Assert.Equal("false", api["Spike__SeedApi__Enabled"]);

        var orders = Environment(resources, "orders");
        Assert.Equal("{redis.connectionString}", orders["ConnectionStrings__redis"]);
        Assert.Equal("{ordersdb.connectionString}", orders["ConnectionStrings__ordersdb"]);

        // The gateway balances over the one API resource, whatever its number of instances.
        var gateway = Environment(resources, "gateway");
        Assert.Equal("http://api", gateway["ReverseProxy__Clusters__api__Destinations__api__Address"]);
        Assert.DoesNotContain(gateway.Keys, key => key.StartsWith("ReverseProxy__Clusters__api__Destinations__api-", StringComparison.Ordinal));
        Assert.Equal("false", gateway["ReverseProxy__Clusters__api__HealthCheck__Active__Enabled"]);
        Assert.Equal("false", gateway["ReverseProxy__Clusters__api__HealthCheck__Passive__Enabled"]);
    }

    [Fact]
    public async Task EveryServiceHasAReadinessAndALivenessProbeAndOneHealthCheckPerProbe()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await using var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SpikeApp_AppHost>(PublishArguments(Path.GetTempPath()), timeout.Token);
        Assert.True(appHost.ExecutionContext.IsPublishMode);

        var probes = appHost.Resources.OfType<ProjectResource>()
#pragma warning disable ASPIREPROBES001 // The annotations a publisher reads are what is asserted.
            .SelectMany(resource => resource.Annotations.OfType<EndpointProbeAnnotation>()
                .Select(probe => (resource.Name, probe.Type.ToString(), probe.Path, probe.EndpointReference.EndpointName)))
#pragma warning restore ASPIREPROBES001
            .Order();
        Assert.Equal(
            [("api", "Liveness", "/alive", "http"), ("api", "Readiness", "/health", "http"),
             ("gateway", "Liveness", "/alive", "admin"), ("gateway", "Readiness", "/health", "admin"),
             ("orders", "Liveness", "/alive", "http"), ("orders", "Readiness", "/health", "http")],
            probes);

        // The probes' own health checks and no other: a WithHttpHealthCheck on the same path would check it twice.
        foreach (var service in Services)
        {
            var resource = appHost.Resources.Single(resource => resource.Name == service);
            Assert.Equal(2, resource.Annotations.OfType<HealthCheckAnnotation>().Count());
        }

        Assert.DoesNotContain(appHost.Resources, resource => resource is ExecutableResource or ContainerResource);
    }

    private static string[] PublishArguments(string outputPath) => ["--publisher", "manifest", "--output-path", outputPath];

    /// <summary>Runs the AppHost's manifest publisher as <c>aspire publish</c> would, and reads what it wrote.</summary>
    private static async Task<JsonObject> PublishAsync(CancellationToken cancellationToken)
    {
        var output = Directory.CreateTempSubdirectory("spikeapp-manifest-test-");
        try
        {
            await using var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SpikeApp_AppHost>(
                PublishArguments(output.FullName), cancellationToken);
            await using var app = await appHost.BuildAsync(cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
            await app.RunAsync(cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
            await using var manifest = File.OpenRead(Path.Combine(output.FullName, "aspire-manifest.json"));
            return (await JsonNode.ParseAsync(manifest, cancellationToken: cancellationToken))!.AsObject();
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> Environment(JsonObject resources, string name) =>
        resources[name]!["env"]!.AsObject().ToDictionary(variable => variable.Key, variable => (string)variable.Value!, StringComparer.Ordinal);
}
