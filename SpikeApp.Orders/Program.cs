using SpikeApp.Orders.Extensions;
using SpikeApp.Orders.Reading;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapOrdersApi();

app.Run();
