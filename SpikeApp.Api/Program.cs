using SpikeApp.Api.Admission;
using SpikeApp.Api.Buy;
using SpikeApp.Api.Extensions;
using SpikeApp.Api.Lifecycle;
using SpikeApp.Api.Sales;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseShutdownDrain();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimit();
app.UseAnswersFromMemory();
app.UseAuthentication();
app.UseAuthorization();
app.UseBuyerRateLimit();
app.UseRateLimiter();

app.MapDefaultEndpoints();
app.MapSalesApi();
app.MapBuyApi();

app.Run();

public partial class Program;
