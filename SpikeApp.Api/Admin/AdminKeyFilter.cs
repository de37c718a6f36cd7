using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Sales;
using SpikeApp.Api.Stock;

namespace SpikeApp.Api.Admin;

/// <summary>Guards operator endpoints (create or reset a sale) with the key the AppHost generates.</summary>
public static class AdminKeyFilter
{
    public const string HeaderName = "X-Admin-Key";

    /// <summary>Requires the <c>X-Admin-Key</c> header to equal <c>Spike:AdminKey</c>.</summary>
    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var configured = context.HttpContext.RequestServices.GetRequiredService<IOptions<SpikeOptions>>().Value.AdminKey;
            if (string.IsNullOrEmpty(configured))
            {
                return TypedResults.Problem("Admin endpoints are disabled: Spike:AdminKey is not configured.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Admin disabled", type: ProblemTypes.AdminDisabled);
            }

            if (!Matches(context.HttpContext.Request.Headers[HeaderName].ToString(), configured))
            {
                return TypedResults.Problem($"A valid {HeaderName} header is required.",
                    statusCode: StatusCodes.Status401Unauthorized, title: "Admin key required", type: ProblemTypes.AdminKeyRequired);
            }

            return await next(context);
        });

    /// <summary>Constant-time comparison, so response timing does not reveal how much of a guess was right.</summary>
    internal static bool Matches(string presented, string configured) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}
