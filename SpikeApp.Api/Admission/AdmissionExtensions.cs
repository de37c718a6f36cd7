using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
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
    /// stampede a fast refusal beats a timeout. Each buyer also has a token bucket (<see cref="BuyerRateLimitExtensions"/>).
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
                if (http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == PurchasePolicy)
                {
                    http.RequestServices.GetRequiredService<StockTelemetry>().RecordOutcome(PurchaseOutcomes.Overloaded);
                }

                http.Response.Headers.RetryAfter = RetryAfter.DefaultValue;
                return Problems.Overloaded().ExecuteAsync(http).AsValueTask(cancellationToken);
            };

            // One partition per replica and per kind: the limit protects this process, whoever the buyer is, and a crowd
            // polling its orders cannot take the permits of buyers.
            limiter.AddPolicy(PurchasePolicy, context => ConcurrencyPartition(context, PurchasePolicy));
            limiter.AddPolicy(OrderPolicy, context => ConcurrencyPartition(context, OrderPolicy));
        });
    }

    /// <summary>Puts the endpoints under this replica's purchase admission limit and the buyer's bucket (429 beyond either).</summary>
    public static TBuilder RequirePurchaseAdmission<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(PurchasePolicy).RequireBuyerRateLimit(purchases: true);

    /// <summary>Puts order reads and payments under their own admission limit and the buyer's bucket (429 beyond either).</summary>
    public static TBuilder RequireOrderAdmission<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(OrderPolicy).RequireBuyerRateLimit();

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
}
