using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using SpikeApp.Buyers;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;

namespace SpikeApp.LoadGen.Extensions;

public static class Extensions
{
    /// <summary>
    /// Adds the load test: one HTTP client for the load, without resilience handlers, and others for the checks; in api
    /// mode, the minter of the buyers' tokens, from the signing key the replicas trust (<c>Authentication:Schemes:Bearer</c>).
    /// </summary>
    public static void AddLoadGen(this IHostApplicationBuilder builder, LoadGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var baseAddress = BaseAddress(options.Url!);

        // Validated by LoadGenCommand before the host was built: a bad flag is exit code 2, not a start-up crash.
        builder.Services.AddSingleton(options);

        // The progress line and the report own the console; logs still reach the dashboard over OTLP.
        builder.Logging.AddFilter<ConsoleLoggerProvider>(category: null, LogLevel.Warning);
        builder.Logging.AddFilter<ConsoleLoggerProvider>("Polly", LogLevel.None); // the checks' retries and open circuits; the report says what failed
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);

        // Retries, hedging and timeouts from the service defaults would hide the very answers a load test counts.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked for evaluation; it is the documented way out.
        builder.Services.AddHttpClient<LoadRunner>(http =>
            {
                http.BaseAddress = baseAddress;
                http.Timeout = Timeout.InfiniteTimeSpan; // LoadRunner times each request out itself, body included.
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // One keep-alive connection per worker, kept for the whole run.
                MaxConnectionsPerServer = options.Concurrency,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                ConnectTimeout = options.Timeout,
                UseCookies = false,
                UseProxy = false,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        // Reading the sale and the orders back may retry: that is verification, not measurement.
        builder.Services.AddHttpClient<SaleReader>(http => http.BaseAddress = baseAddress);
        if (options.OrdersUrl is { } ordersUrl)
        {
            // The reader takes it when registered; without --orders-url the PostgreSQL check is skipped.
            builder.Services.AddHttpClient<StoredOrdersClient>(http => http.BaseAddress = BaseAddress(ordersUrl));
        }

        if (options.Mode == LoadMode.Api)
        {
            // Resolved, so checked, before the host starts: see RunLoadTestAsync.
            builder.Services.AddSingleton(_ => BuyerTokenMinter.FromConfiguration(builder.Configuration.GetSection(BuyerAuthentication.SectionName)));
        }

        builder.Services.AddTransient<LoadTest>();

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(LoadGenTelemetry.ActivitySourceName));
    }

    /// <summary>
    /// Runs the load test inside the started host and returns the exit code; Ctrl+C stops sending, not reporting. In api
    /// mode without a usable signing key nothing starts: the problem goes to <paramref name="error"/> with exit code 2.
    /// </summary>
    public static async Task<int> RunLoadTestAsync(this IHost host, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (SigningKeyProblem(host.Services) is { } problem)
        {
            await error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }

        await host.StartAsync();
        try
        {
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            return await host.Services.GetRequiredService<LoadTest>().RunAsync(output, lifetime.ApplicationStopping, error);
        }
        finally
        {
            // Flushes the spans still queued for the exporter.
            await host.StopAsync();
        }
    }

    /// <summary>Why api mode cannot mint its buyers' tokens (no key, not base64, too short), or null when it can or needs none.</summary>
    private static string? SigningKeyProblem(IServiceProvider services)
    {
        if (services.GetRequiredService<LoadGenOptions>().Mode != LoadMode.Api)
        {
            return null;
        }

        try
        {
            services.GetRequiredService<BuyerTokenMinter>();
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return $"--mode api buys as buyers with tokens signed by the key the API trusts. {ex.Message} "
                + $"Set {BuyerAuthentication.DevKeyValueSetting} and its :Issuer as the API has them (the AppHost passes both), or use --mode seed.";
        }
    }

    /// <summary>A trailing slash, so relative request paths keep any path prefix of --url.</summary>
    private static Uri BaseAddress(Uri url) =>
        url.AbsolutePath.EndsWith('/') ? url : new Uri(url.GetLeftPart(UriPartial.Path) + "/");
}
