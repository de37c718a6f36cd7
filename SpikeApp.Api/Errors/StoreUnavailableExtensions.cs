using SpikeApp.Contracts.Problems;
using SpikeApp.Store;

namespace SpikeApp.Api.Errors;

public static class StoreUnavailableExtensions
{
    /// <summary>Turns <see cref="SaleStoreUnavailableException"/> into 503 and gives every 503 <c>Retry-After</c>, so handlers keep their happy path.</summary>
    public static TBuilder WithStoreUnavailableProblem<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            object? result;
            try
            {
                result = await next(context);
            }
            catch (SaleStoreUnavailableException)
            {
                result = Problems.Unavailable();
            }

            if ((result is INestedHttpResult nested ? nested.Result : result) is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable })
            {
                context.HttpContext.Response.Headers.RetryAfter = RetryAfter.DefaultValue;
            }

            return result;
        });
}
