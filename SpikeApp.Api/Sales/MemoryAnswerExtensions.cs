using SpikeApp.Api.Errors;
using SpikeApp.Api.Stock;
using SpikeApp.Api.Tracing;

namespace SpikeApp.Api.Sales;

public static class MemoryAnswerExtensions
{
    /// <summary>
    /// Answers a purchase this replica can refuse from memory (not open yet, closed, or known sold out) before
    /// authentication and admission: the state of a sale is public, and the crowds waiting for the opening or still
    /// buying after the end must cost no token validation and no Redis call.
    /// </summary>
    public static IApplicationBuilder UseAnswersFromMemory(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<AnswersFromMemory>() is null
                || context.Request.RouteValues["saleId"] is not string saleId
                || context.RequestServices.GetRequiredService<PurchaseService>().AnswerFromMemory(saleId) is not { } known)
            {
                return next(context);
            }

            if (known.Untraced)
            {
                TraceResponse.AnnounceDropped(context);
            }

            return Problems.Refusal(context, saleId, known)!.ExecuteAsync(context);
        });

    /// <summary>Lets <see cref="UseAnswersFromMemory"/> answer the endpoint's purchases first (routes with a <c>{saleId}</c>).</summary>
    public static TBuilder AnswerFromMemoryFirst<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AnswersFromMemory.Instance);

    private sealed class AnswersFromMemory
    {
        public static readonly AnswersFromMemory Instance = new();
    }
}
