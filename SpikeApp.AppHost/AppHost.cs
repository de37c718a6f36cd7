using SpikeApp.AppHost;
using SpikeApp.AppHost.Gateway;
using SpikeApp.AppHost.Publishing;

var builder = DistributedApplication.CreateBuilder(args);

var spike = SpikeSettings.From(builder.Configuration);
var gatewaySettings = GatewaySettings.From(builder.Configuration, ApiReplicas.Names(builder, spike));
var loadGen = LoadGenSettings.From(builder.Configuration);

// Run: servers this machine starts. Publish: connection strings given where the app is deployed (secret parameters).
var redis = builder.AddRedisServer("redis");

// The resource name "orders" is the order processor's; the database it writes is "orders" too.
var orders = builder.AddOrdersDatabase("postgres", "ordersdb", databaseName: "orders");

// Operators and the dashboard's reset command present this key; generated per run unless Parameters:admin-key is set.
var adminKey = builder.AddParameter("admin-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

// Signs the buyers' dev tokens (HS256 needs at least 32 bytes). Letters and digits only, so the 64 characters are valid
// base64 of 48 bytes as they are; generated per run unless Parameters:buyer-signing-key is set.
var buyerSigningKey = builder.AddParameter("buyer-signing-key", new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true);

// The order processor also holds the ledger: it creates the default sale, and restores a sale Redis lost.
var processor = builder.AddProject<Projects.SpikeApp_Orders>("orders")
    .WithReference(redis).WaitFor(redis)
    .WithReference(orders).WaitFor(orders)
    .WithDefaultSale(spike)
    .WithServiceHealth();

// Replicas sell only sales the ledger opened: they start once the processor has created or checked the default sale.
var replicas = builder.AddApiReplicas(spike, replica => replica
    .WithReference(redis).WaitFor(redis)
    .WaitFor(processor)
    .WithSpikeConfiguration(builder.Configuration, spike)
    .WithEnvironment("Spike__AdminKey", adminKey)
    .WithDevBuyerTokens(buyerSigningKey)
    .WithServiceHealth());

// The public URL: balances each public request over the replicas' own endpoints, with no Aspire proxy on the way.
// Health and the admin routes answer on the gateway's admin endpoint only.
var gateway = builder.AddProject<Projects.SpikeApp_Gateway>("gateway")
    .WithPublicEndpoint(gatewaySettings)
    .WithAdminEndpoint(gatewaySettings)
    .WithGatewayConfiguration(builder.Configuration)
    .WithReplicaDestinations(replicas, gatewaySettings)
    .WithServiceHealth(GatewayResourceExtensions.AdminEndpointName)
    .WithResetSaleCommand(GatewayResourceExtensions.AdminEndpointName, spike.DefaultSale.Id, spike.DefaultSale.Total, adminKey);

// A load test runs when asked (the dashboard's Start button), not on every start of the AppHost; it knows the public URL
// only, and mints each synthetic buyer's token with the replicas' dev key. A tool, never part of a deployment.
builder.AddProject<Projects.SpikeApp_LoadGen>("loadgen")
    .WithReference(gateway.GetEndpoint("http")).WaitFor(gateway)
    .WithReference(processor).WaitFor(processor)
    .WithDevBuyerTokens(buyerSigningKey)
    .WithArgs(loadGen.ToArguments(spike.DefaultSale.Id))
    .WithExplicitStart()
    .ExcludeFromManifest();

builder.Build().Run();
