using Microsoft.Extensions.Configuration;
using SpikeApp.AppHost.Redis;

var builder = DistributedApplication.CreateBuilder(args);

var sale = builder.Configuration.GetSection("Spike");
var replicas = sale.GetValue("Replicas", 3);

var redis = builder.AddSpikeRedis("redis");

// Operators and the dashboard's reset command present this key; generated per run unless Parameters:admin-key is set.
var adminKey = builder.AddParameter("admin-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

builder.AddProject<Projects.SpikeApp_Api>("api")
    .WithReplicas(replicas)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Spike__Replicas", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture))
    .WithEnvironment("Spike__BufferRatio", sale["BufferRatio"] ?? "0.2")
    .WithEnvironment("Spike__DefaultSale__Id", sale["Sale:Id"] ?? "default")
    .WithEnvironment("Spike__DefaultSale__Total", sale["Sale:Total"] ?? "2000")
    .WithEnvironment("Spike__AdminKey", adminKey)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
