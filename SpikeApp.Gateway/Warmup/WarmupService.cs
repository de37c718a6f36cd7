using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SpikeApp.Gateway.Telemetry;
using Yarp.ReverseProxy;

namespace SpikeApp.Gateway.Warmup;

/// <summary>
/// Warm before ready: once a replica may take requests, forwards requests through the gateway's own public port (Kestrel,
/// routing, the shared-answer check, YARP, the pooled connections to the replicas, the transforms), then reports ready.
/// They name no sale a replica could hold (an invalid sale id: the replica answers 400, or 401 to a purchase without a
/// token), so they cost no Redis call and reach no sale.
/// </summary>
internal sealed partial class WarmupService(
    IServer server,
    IHostApplicationLifetime lifetime,
    IProxyStateLookup proxyState,
    IMeterFactory meterFactory,
    IOptions<WarmupOptions> options,
    IOptions<GatewayOptions> gateway,
    ILogger<WarmupService> logger) : BackgroundService, IHealthCheck, IReadinessGate
{
    /// <summary>Not a valid sale id ('.' is outside the ids' alphabet), so a replica refuses it before any Redis call.</summary>
    public const string ProbeSale = "warmup.probe";

    public const string WarmupSpan = "spike.gateway.warmup";

    /// <summary>Named after the application, the source the service defaults trace.</summary>
    private static readonly ActivitySource Source = new(GatewayTelemetry.MeterName);

    /// <summary>Enough connections and requests in flight to open a pool of connections to the replicas as a crowd does.</summary>
    private const int Concurrency = 16;

    private readonly Histogram<double> _duration = meterFactory.Create(GatewayTelemetry.MeterName).CreateHistogram<double>(
        "spike.gateway.warmup.duration", unit: "s", description: "Time of one warm-up attempt before the gateway reports ready, by result.");

    // A completed task: HealthCheckResult is a struct, and the check answers without allocating.
    private volatile Task<HealthCheckResult>? _result = options.Value.Enabled ? null : Task.FromResult(HealthCheckResult.Healthy("Warm-up disabled (Gateway:Warmup:Enabled)."));
    private volatile string _waiting = "Not warmed up yet: the warm-up starts once the server listens and a replica may take requests.";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _result ?? Task.FromResult(HealthCheckResult.Unhealthy(_waiting));

    public string? Waiting => _result is null ? _waiting : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !await lifetime.WaitUntilStartedAsync(stoppingToken))
        {
            return;
        }

        var address = PublicAddress();
        for (var attempt = 1; ; attempt++)
        {
            if (!AnyReplicaAvailable())
            {
                _waiting = "Not warmed up yet: waiting for a replica that may take requests.";
                await Task.Delay(options.Value.RetryInterval, stoppingToken);
                attempt--;
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            using var activity = Source.StartActivity(WarmupSpan);
            try
            {
                var (requests, rounds) = await WarmAsync(address, stoppingToken);
                var elapsed = Stopwatch.GetElapsedTime(started);
                activity?.SetTag("spike.result", "warm");
                activity?.SetTag("spike.warmup.rounds", rounds.Rounds);
                activity?.SetTag("spike.warmup.last_round_compiled", rounds.LastRoundCompiled);
                _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("result", "warm"));
                _result = Task.FromResult(HealthCheckResult.Healthy(
                    $"Warmed up: {requests} requests forwarded in {rounds.Rounds} rounds, {elapsed.TotalMilliseconds:0} ms; the last round compiled {rounds.LastRoundCompiled} methods."));
                LogWarm(requests, rounds.Rounds, rounds.LastRoundCompiled, elapsed.TotalMilliseconds);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                activity?.SetTag("spike.result", "failed");
                _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("result", "failed"));
                _waiting = $"Warm-up attempt {attempt} failed, retrying every {options.Value.RetryInterval.TotalSeconds:0.###} s: {ex.Message}";
                if (attempt == 1)
                {
                    LogFailed(attempt, ex);
                }
            }

            await Task.Delay(options.Value.RetryInterval, stoppingToken);
        }
    }

    private async Task<(int Requests, WarmupRoundsResult Rounds)> WarmAsync(Uri address, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.Timeout);
        using var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = Concurrency, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var perRound = Math.Max(1, options.Value.Requests / WarmupRounds.MinRounds);
        // Rounds past the first three run only while the JIT still compiles, within half the attempt's time.
        var rounds = await WarmupRounds.RunAsync(async (round, cancellationToken) =>
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Math.Min(Concurrency, perRound)).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < perRound; i = Interlocked.Increment(ref next))
                {
                    await SendOneAsync(client, i, cancellationToken);
                }
            }));
        }, options.Value.Timeout / 2, timeout.Token);
        return (perRound * rounds.Rounds, rounds);
    }

    /// <summary>Throws unless a replica answered: the gateway's own refusals (429, 503) mean nothing was forwarded.</summary>
    private static async Task SendOneAsync(HttpClient client, int index, CancellationToken cancellationToken)
    {
        using var request = index % 2 == 0
            ? new HttpRequestMessage(HttpMethod.Get, $"/api/sales/{ProbeSale}")
            : new HttpRequestMessage(HttpMethod.Post, $"/api/sales/{ProbeSale}/purchases");
        WarmupRequests.Mark(request);
        using var response = await client.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        if (response.StatusCode is HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
        {
            throw new InvalidOperationException($"Warm-up request {request.Method} {request.RequestUri} was answered {(int)response.StatusCode}: no replica took it.");
        }
    }

    private bool AnyReplicaAvailable() =>
        proxyState.TryGetCluster(GatewayOptions.ReplicaClusterId, out var cluster) && cluster.DestinationsState.AvailableDestinations.Count > 0;

    /// <summary>A loopback address of a public port (any but the admin port; a wildcard binding answers on loopback too).</summary>
    private Uri PublicAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            var uri = WarmupRequests.ToLoopback(address);
            if (uri.Scheme == Uri.UriSchemeHttp && uri.Port != gateway.Value.AdminPort)
            {
                return uri.Uri;
            }
        }

        throw new InvalidOperationException($"The warm-up needs a plain HTTP public address to send to; the gateway listens on: {string.Join(", ", addresses)}.");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Warmed up with {Requests} requests forwarded in {Rounds} rounds (the last compiled {LastRoundCompiled} methods) in {ElapsedMs:0} ms: ready")]
    private partial void LogWarm(int requests, int rounds, long lastRoundCompiled, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Warm-up attempt {Attempt} failed; not ready until one succeeds")]
    private partial void LogFailed(int attempt, Exception exception);
}
