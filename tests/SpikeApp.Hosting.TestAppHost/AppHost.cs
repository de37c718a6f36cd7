// The servers under the names SpikeApp's AppHost gives them; the tests choose their modes and data folders.
var builder = DistributedApplication.CreateBuilder(args);

builder.AddSpikeRedis("redis");
builder.AddSpikePostgres("postgres").AddSpikeDatabase("ordersdb", databaseName: "orders");

builder.Build().Run();
