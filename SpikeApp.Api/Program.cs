using SpikeApp.Api.Admission;
using SpikeApp.Api.Extensions;
using SpikeApp.Api.Sales;
using SpikeApp.Api.Seed;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimit();
app.UseRateLimiter();

app.MapDefaultEndpoints();
app.MapSalesApi();
app.MapSeedApi();

app.Run();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
