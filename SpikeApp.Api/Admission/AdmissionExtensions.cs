using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Buyers;
using SpikeApp.Api.Errors;
using SpikeApp.Api.Stock;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Api.Admission;

public static class AdmissionExtensions
{
    private const string PurchasePolicy = "purchases";
    private const string OrderPolicy = "orders";

    /// <summary>
    /// Sheds purchases, and separately order reads and payments, beyond the permits and the queue with 429 at once: in a
    /// stampede a fast refusal beats a timeout. Each buyer also has a token bucket (429 <c>rate-limited</c>).
    /// </summary>
    public static void AddAdmissionControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>()
            .BindConfiguration(AdmissionOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdmissionOptions>, AdmissionOptionsValidator>();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var purchase = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == PurchasePolicy;
                // Only the buyer's token bucket knows when a token comes back; admission's concurrency limit does not.
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    http.Response.Headers.RetryAfter = RetryAfter.Seconds(retryAfter);
                    RecordPurchaseOutcome(http, purchase, PurchaseOutcomes.RateLimited);
                    return Problems.RateLimited().ExecuteAsync(http).AsValueTask(cancellationToken);
                }

                http.Response.Headers.RetryAfter = RetryAfter.DefaultValue;
                RecordPurchaseOutcome(http, purchase, PurchaseOutcomes.Overloaded);
                return Problems.Overloaded().ExecuteAsync(http).AsValueTask(cancellationToken);
            };

            // Runs after authentication: a request with a buyer draws from that buyer's bucket; anonymous ones (the seed
            // routes, health) from none.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.User.Identity?.IsAuthenticated != true || context.GetEndpoint()?.Metadata.GetMetadata<BuyerLimited>() is null)
                {
                    return RateLimitPartition.GetNoLimiter(string.Empty);
                }

                var options = context.RequestServices.GetRequiredService<IOptions<BuyerOptions>>().Value.RateLimit;
                return RateLimitPartition.GetTokenBucketLimiter(context.User.BuyerId(), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.TokenLimit,
                    TokensPerPeriod = options.TokensPerPeriod,
                    ReplenishmentPeriod = options.ReplenishmentPeriod,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });

            // One partition per replica and per kind: the limit protects this process, whoever the buyer is, and a crowd
            // polling its orders cannot take the permits of buyers.
            limiter.AddPolicy(PurchasePolicy, context => ConcurrencyPartition(context, PurchasePolicy));
            limiter.AddPolicy(OrderPolicy, context => ConcurrencyPartition(context, OrderPolicy));
        });
    }

    /// <summary>Puts the endpoints under this replica's purchase admission limit and the buyer's bucket (429 beyond either).</summary>
    public static TBuilder RequirePurchaseAdmission<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(PurchasePolicy).WithMetadata(BuyerLimited.Instance);

    /// <summary>Puts order reads and payments under their own admission limit and the buyer's bucket (429 beyond either).</summary>
    public static TBuilder RequireOrderAdmission<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(OrderPolicy).WithMetadata(BuyerLimited.Instance);

    /// <summary>Refuses bodies over <see cref="AdmissionOptions.MaxRequestBodyBytes"/> before they are buffered.</summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app)
    {
        var limit = app.ApplicationServices.GetRequiredService<IOptions<AdmissionOptions>>().Value.MaxRequestBodyBytes;
        return app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            {
                bodySize.MaxRequestBodySize = limit;
            }

            return next(context);
        });
    }

    private static void RecordPurchaseOutcome(HttpContext context, bool purchase, string outcome)
    {
        if (purchase)
        {
            context.RequestServices.GetRequiredService<StockTelemetry>().RecordOutcome(outcome);
        }
    }

    private static RateLimitPartition<string> ConcurrencyPartition(HttpContext context, string policy)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<AdmissionOptions>>().Value;
        return RateLimitPartition.GetConcurrencyLimiter(policy, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = options.PermitLimit,
            QueueLimit = options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    private static ValueTask AsValueTask(this Task task, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken) : new ValueTask(task);

    /// <summary>Marks endpoints whose buyer draws from a token bucket.</summary>
    private sealed class BuyerLimited
    {
        public static readonly BuyerLimited Instance = new();
    }
}
