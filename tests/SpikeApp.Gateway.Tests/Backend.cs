using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SpikeApp.Gateway.Tests;

/// <summary>
/// A stand-in replica on a real loopback port: answers <c>/health</c>, counts what it serves, remembers the
/// <c>traceparent</c> it was sent, and answers what the test tells it to.
/// </summary>
public sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Backend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public string Address => _app.Urls.Single();

    public int Served => Volatile.Read(ref _served);

    public ConcurrentQueue<string> TraceParents { get; } = new();

    /// <summary>Whether <c>/health</c> answers 200 (true, the default) or 503.</summary>
    public bool Healthy { get; set; } = true;

    /// <summary>What to answer to anything but <c>/health</c>; by default 200 with the backend's name.</summary>
    public Func<HttpContext, Task>? Answer { get; set; }

    private int _served;

    public static async Task<Backend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var backend = new Backend(app, name);
        app.MapGet("/health", () => backend.Healthy ? Results.Text("Healthy") : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        app.Map("/{**path}", backend.ServeAsync);
        await app.StartAsync();
        return backend;
    }

    private Task ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref _served);
        if (context.Request.Headers.TryGetValue("traceparent", out var traceParent))
        {
            TraceParents.Enqueue(traceParent.ToString());
        }

        return Answer is { } answer ? answer(context) : context.Response.WriteAsync(Name);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
