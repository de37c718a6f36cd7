using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SpikeApp.Contracts.Problems;

public static class ProblemDetailsExtensions
{
    /// <summary>Answers bad requests instead of throwing (never a 500) and types framework problems by <see cref="ProblemTypes"/>.</summary>
    public static IServiceCollection AddSpikeProblemDetails(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = false);
        return services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Type is null || context.ProblemDetails.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                context.ProblemDetails.Type = ProblemTypes.ForStatus(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            }
        });
    }
}
