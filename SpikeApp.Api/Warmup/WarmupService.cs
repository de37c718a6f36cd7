using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Admission;
using SpikeApp.Api.Stock;
using SpikeApp.Buyers;

namespace SpikeApp.Api.Warmup;

/// <summary>
/// Warm before ready: once Kestrel listens, drives real requests through this replica's own pipeline against a scratch
/// sale (JIT tiers, Kestrel, routing, authentication, JSON, the Redis script path, the "sold out" answers), then reports
/// ready. Until then, and while a failed attempt (Redis down) waits to be retried, <c>/health</c> is unhealthy and says why.
/// </summary>
public sealed partial class WarmupService(
    IServiceProvider services,
    IServer server,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    IMeterFactory meterFactory,
    IOptions<WarmupOptions> options,
    ILogger<WarmupService> logger) : BackgroundService, IHealthCheck, IReadinessGate
{
    public const string WarmupSpan = "spike.warmup";

    private readonly Histogram<double> _duration = meterFactory.Create(StockTelemetry.MeterName).CreateHistogram<double>(
        "spike.warmup.duration", unit: "s", description: "Time of one warm-up attempt before the replica reports ready, by result.");

    private volatile WarmupSale? _sale;
    // A completed task: HealthCheckResult is a struct, and the check answers without allocating.
    private volatile Task<HealthCheckResult>? _result = options.Value.Enabled ? null : Task.FromResult(HealthCheckResult.Healthy("Warm-up disabled (Spike:Warmup:Enabled)."));
    private volatile string _waiting = "Not warmed up yet: the warm-up starts once the server listens.";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _result ?? Task.FromResult(HealthCheckResult.Unhealthy(_waiting));

    public string? Waiting => _result is null ? _waiting : null;

    /// <summary>Serves a warm-up request (and only one: its header carries this process's key) from the scratch sale.</summary>
    internal void Redirect(HttpContext context)
    {
        if (_sale is { } sale && WarmupRequests.IsWarmup(context.Request))
        {
            context.RequestServices = sale.ServicesFor(context.RequestServices);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !await lifetime.WaitUntilStartedAsync(stoppingToken))
        {
            return;
        }

        var address = OwnAddress();
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            using var activity = StockTelemetry.ActivitySource.StartActivity(WarmupSpan);
            try
            {
                var (requests, sold, rounds) = await WarmAsync(address, stoppingToken);
                var elapsed = Stopwatch.GetElapsedTime(started);
                activity?.SetTag("spike.result", "warm");
                activity?.SetTag("spike.warmup.rounds", rounds.Rounds);
                activity?.SetTag("spike.warmup.last_round_compiled", rounds.LastRoundCompiled);
                _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("result", "warm"));
                _result = Task.FromResult(HealthCheckResult.Healthy(
                    $"Warmed up: {requests} requests ({sold} scratch units sold) in {rounds.Rounds} rounds, {elapsed.TotalMilliseconds:0} ms; the last round compiled {rounds.LastRoundCompiled} methods."));
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

    private async Task<(int Requests, int Sold, WarmupRoundsResult Rounds)> WarmAsync(Uri address, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.Timeout);
        var perRound = options.Value.Requests / WarmupRounds.MinRounds;
        // Three in four requests try to buy: one in eight sells the scratch sale out, the rest meet its "sold out".
        var units = Math.Max(1, perRound / 8);
        var sale = await WarmupSale.BeginAsync(services, units);
        try
        {
            _sale = sale;
            var admission = services.GetRequiredService<IOptions<AdmissionOptions>>().Value;
            var seedRoutes = services.GetRequiredService<IOptions<SpikeOptions>>().Value.SeedApi.Enabled;
            var minter = Minter();
            var traffic = new WarmupTraffic(address, sale.SaleId, minter, admission.PermitLimit + admission.QueueLimit, seedRoutes);
            // Without the seed's anonymous routes and without a key to sign tokens with, nothing the warm-up sends can buy.
            var expected = seedRoutes || minter is not null ? units : 0;
            var sold = 0;
            // Rounds past the first three run only while the JIT still compiles, within half the attempt's time.
            var rounds = await WarmupRounds.RunAsync(async (round, cancellationToken) =>
            {
                if (round > 0)
                {
                    await sale.RestockAsync();
                }

                var soldInRound = await traffic.SendAsync(perRound, cancellationToken);
                if (soldInRound != expected)
                {
                    throw new InvalidOperationException($"The warm-up sold {soldInRound} of its scratch sale's {expected} units: Redis did not answer every purchase.");
                }

                sold += soldInRound;
            }, options.Value.Timeout / 2, timeout.Token);

            return (perRound * rounds.Rounds, sold, rounds);
        }
        finally
        {
            _sale = null;
            await sale.DisposeAsync();
        }
    }

    /// <summary>A loopback address this server listens on (a wildcard binding answers on loopback too).</summary>
    private Uri OwnAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"The warm-up needs a plain HTTP address to send to; the server listens on: {string.Join(", ", addresses)}.");
        return WarmupRequests.ToLoopback(address).Uri;
    }

    /// <summary>Tokens signed with this replica's own dev key, so the warm-up also runs the buyers' authentication; none with an OIDC authority.</summary>
    private BuyerTokenMinter? Minter()
    {
        var bearer = configuration.GetSection(BuyerAuthentication.SectionName);
        var keys = BuyerSigningKey.ReadAll(bearer);
        var key = keys.Count > 0 ? keys[0] : null;
        var audience = bearer.GetSection("ValidAudiences").GetChildren().Select(child => child.Value).FirstOrDefault(value => !string.IsNullOrEmpty(value))
            ?? bearer["Audience"];
        return key is null || string.IsNullOrEmpty(audience) ? null : new BuyerTokenMinter(key, audience);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Warmed up with {Requests} requests in {Rounds} rounds (the last compiled {LastRoundCompiled} methods) in {ElapsedMs:0} ms: ready")]
    private partial void LogWarm(int requests, int rounds, long lastRoundCompiled, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Warm-up attempt {Attempt} failed; not ready until one succeeds")]
    private partial void LogFailed(int attempt, Exception exception);
}
