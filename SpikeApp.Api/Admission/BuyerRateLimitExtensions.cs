using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Buyers;
using SpikeApp.Api.Errors;
using SpikeApp.Api.Stock;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Api.Admission;

/// <summary>
/// A token bucket per buyer on the buyer endpoints. Not the rate limiter middleware's global limiter: that one runs on
/// every request, the seed's anonymous flood included, and takes a lock each time.
/// </summary>
public static class BuyerRateLimitExtensions
{
    /// <summary>Registers the per-buyer buckets (<c>Spike:Buyers:RateLimit</c>).</summary>
    public static void AddBuyerRateLimit(this IHostApplicationBuilder builder) =>
        builder.Services.AddSingleton<BuyerBuckets>();

    /// <summary>Lets <see cref="UseBuyerRateLimit"/> count the endpoint's requests against their buyer's bucket.</summary>
    /// <param name="purchases">Whether a refusal counts in the purchase outcomes (<c>spike.purchases</c>).</param>
    public static TBuilder RequireBuyerRateLimit<TBuilder>(this TBuilder builder, bool purchases = false) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(purchases ? BuyerLimited.Purchases : BuyerLimited.Other);

    /// <summary>Answers 429 <c>rate-limited</c>, with the bucket's <c>Retry-After</c>, to a buyer whose bucket is empty; after authorization, so the buyer is known.</summary>
    public static IApplicationBuilder UseBuyerRateLimit(this IApplicationBuilder app)
    {
        var buckets = app.ApplicationServices.GetRequiredService<BuyerBuckets>();
        return app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<BuyerLimited>() is not { } limited || context.User.Identity?.IsAuthenticated != true)
            {
                return next(context);
            }

            using var lease = buckets.Limiter.AttemptAcquire(context.User.BuyerId());
            if (lease.IsAcquired)
            {
                return next(context);
            }

            if (limited.CountsAsPurchase)
            {
                context.RequestServices.GetRequiredService<StockTelemetry>().RecordOutcome(PurchaseOutcomes.RateLimited);
            }

            context.Response.Headers.RetryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                ? RetryAfter.Seconds(retryAfter)
                : RetryAfter.DefaultValue;
            return Problems.RateLimited().ExecuteAsync(context);
        });
    }

    private sealed record BuyerLimited(bool CountsAsPurchase)
    {
        public static readonly BuyerLimited Purchases = new(true);
        public static readonly BuyerLimited Other = new(false);
    }

    /// <summary>The buckets, one per buyer seen lately (idle full buckets are dropped by the limiter).</summary>
    internal sealed class BuyerBuckets(IOptions<BuyerOptions> options) : IDisposable
    {
        public PartitionedRateLimiter<string> Limiter { get; } = PartitionedRateLimiter.Create<string, string>(buyer =>
            RateLimitPartition.GetTokenBucketLimiter(buyer, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.Value.RateLimit.TokenLimit,
                TokensPerPeriod = options.Value.RateLimit.TokensPerPeriod,
                ReplenishmentPeriod = options.Value.RateLimit.ReplenishmentPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

        public void Dispose() => Limiter.Dispose();
    }
}
