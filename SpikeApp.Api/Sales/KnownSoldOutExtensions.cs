using SpikeApp.Api.Errors;
using SpikeApp.Api.Stock;
using SpikeApp.Api.Tracing;

namespace SpikeApp.Api.Sales;

public static class KnownSoldOutExtensions
{
    /// <summary>
    /// Answers a purchase of a sale this replica knows Redis sold out before authentication and admission: the state of a
    /// sale is public, and the crowd that keeps buying after the end must cost no token validation.
    /// </summary>
    public static IApplicationBuilder UseKnownSoldOutAnswers(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<AnswersKnownSoldOut>() is null
                || context.Request.RouteValues["saleId"] is not string saleId
                || context.RequestServices.GetRequiredService<PurchaseService>().AnswerFromMemory(saleId) is not { } known)
            {
                return next(context);
            }

            if (known.Untraced)
            {
                TraceResponse.AnnounceDropped(context);
            }

            return Problems.SoldOut(saleId).ExecuteAsync(context);
        });

    /// <summary>Lets <see cref="UseKnownSoldOutAnswers"/> answer the endpoint's known "sold out" (routes with a <c>{saleId}</c>).</summary>
    public static TBuilder AnswerKnownSoldOutFirst<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AnswersKnownSoldOut.Instance);

    private sealed class AnswersKnownSoldOut
    {
        public static readonly AnswersKnownSoldOut Instance = new();
    }
}
