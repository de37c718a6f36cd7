using SpikeApp.AppHost;
using SpikeApp.AppHost.Postgres;
using SpikeApp.AppHost.Redis;

var builder = DistributedApplication.CreateBuilder(args);

var spike = SpikeSettings.From(builder.Configuration);
var loadGen = LoadGenSettings.From(builder.Configuration);

var redis = builder.AddSpikeRedis("redis");

// The order processor (planned) keeps orders here; nothing references the database yet.
builder.AddSpikePostgres("postgres").AddSpikeDatabase("orders");

// Operators and the dashboard's reset command present this key; generated per run unless Parameters:admin-key is set.
var adminKey = builder.AddParameter("admin-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

var api = builder.AddProject<Projects.SpikeApp_Api>("api")
    .WithReplicas(spike.Replicas)
    .WithReference(redis).WaitFor(redis)
    .WithSpikeConfiguration(builder.Configuration, spike)
    .WithEnvironment("Spike__AdminKey", adminKey)
    .WithHttpHealthCheck("/health")
    .WithResetSaleCommand(spike.DefaultSale.Id, spike.DefaultSale.Total, adminKey);

// A load test runs when asked (the dashboard's Start button), not on every start of the AppHost.
builder.AddProject<Projects.SpikeApp_LoadGen>("loadgen")
    .WithReference(api).WaitFor(api)
    .WithArgs(loadGen.ToArguments(spike.DefaultSale.Id))
    .WithExplicitStart();

builder.Build().Run();
