using System.Globalization;
using Microsoft.Extensions.Configuration;
using SpikeApp.AppHost;
using SpikeApp.AppHost.Redis;

var builder = DistributedApplication.CreateBuilder(args);

var spike = builder.Configuration.GetSection("Spike");
var replicas = spike.GetValue("Replicas", 3);
var saleId = spike["Sale:Id"] ?? "default";
var saleTotal = spike.GetValue("Sale:Total", 2000);

var redis = builder.AddSpikeRedis("redis");

// Operators and the dashboard's reset command present this key; generated per run unless Parameters:admin-key is set.
var adminKey = builder.AddParameter("admin-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

var api = builder.AddProject<Projects.SpikeApp_Api>("api")
    .WithReplicas(replicas)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Spike__Replicas", replicas.ToString(CultureInfo.InvariantCulture))
    .WithEnvironment("Spike__BufferRatio", spike["BufferRatio"] ?? "0.2")
    .WithEnvironment("Spike__DefaultSale__Id", saleId)
    .WithEnvironment("Spike__DefaultSale__Total", saleTotal.ToString(CultureInfo.InvariantCulture))
    .WithEnvironment("Spike__AdminKey", adminKey)
    .WithEnvironment("Spike__RedisTimeoutMilliseconds", spike["RedisTimeoutMilliseconds"] ?? "1000")
    .WithHttpHealthCheck("/health")
    .WithResetSaleCommand(saleId, saleTotal, adminKey);

// A load test runs when asked (the dashboard's Start button), not on every start of the AppHost.
builder.AddProject<Projects.SpikeApp_LoadGen>("loadgen")
    .WithReference(api).WaitFor(api)
    .WithArgs(LoadGenArguments.From(builder.Configuration.GetSection("LoadGen"), saleId))
    .WithExplicitStart();

builder.Build().Run();
