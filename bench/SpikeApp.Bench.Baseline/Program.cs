using System.Text;

// The benchmark's yardstick: bare Kestrel answering /buy/skill with a body of the size the API's sold-out answer has,
// with no work behind it. It also stands in for the dashboard as the OTLP/HTTP endpoint the API exports to, so the API
// pays for exporting as it does under the AppHost.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();

var app = builder.Build();

var soldOut = Encoding.UTF8.GetBytes("""{"code":-1,"msg":"已售罄"}""");
app.MapGet("/buy/skill", (HttpContext context) =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = soldOut.Length;
    return context.Response.Body.WriteAsync(soldOut).AsTask();
});

// OTLP/HTTP: an empty protobuf message is a valid "all accepted" answer for traces, metrics and logs.
app.MapPost("/v1/{signal}", async (HttpContext context) =>
{
    await context.Request.Body.CopyToAsync(Stream.Null);
    context.Response.ContentType = "application/x-protobuf";
});

app.Run();
