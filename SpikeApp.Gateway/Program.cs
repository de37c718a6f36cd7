using SpikeApp.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);

// No client span per forwarded request: the gateway's server span is the parent of the replica's.
builder.AddServiceDefaults(traceHttpClients: false);
builder.AddGateway();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGateway();

app.Run();

public partial class Program;
