using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Errors;
using SpikeApp.Api.Stock;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Api.Admission;

public static class AdmissionExtensions
{
    private const string PurchasePolicy = "purchases";

    /// <summary>Sheds purchases beyond the permits and the queue with 429 at once: in a stampede a fast refusal beats a timeout.</summary>
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
                context.HttpContext.Response.Headers.RetryAfter = RetryAfter.DefaultValue;
                context.HttpContext.RequestServices.GetRequiredService<StockTelemetry>().RecordOutcome(PurchaseOutcomes.Overloaded);
                return Problems.Overloaded().ExecuteAsync(context.HttpContext).AsValueTask(cancellationToken);
            };

            // One partition per replica: the limit protects this process, whoever the buyer is.
            limiter.AddPolicy(PurchasePolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<AdmissionOptions>>().Value;
                return RateLimitPartition.GetConcurrencyLimiter(PurchasePolicy, _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.PermitLimit,
                    QueueLimit = options.QueueLimit,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
            });
        });
    }

    /// <summary>Puts the endpoints under this replica's purchase admission limit (429 beyond it).</summary>
    public static TBuilder RequirePurchaseAdmission<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(PurchasePolicy);

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

    private static ValueTask AsValueTask(this Task task, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken) : new ValueTask(task);
}
