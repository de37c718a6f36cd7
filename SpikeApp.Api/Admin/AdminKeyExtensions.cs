using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Errors;

namespace SpikeApp.Api.Admin;

/// <summary>Guards operator endpoints (create or reset a sale) with the key the AppHost generates.</summary>
public static class AdminKeyExtensions
{
    public const string HeaderName = "X-Admin-Key";

    /// <summary>Requires the <c>X-Admin-Key</c> header to equal <c>Spike:AdminKey</c>.</summary>
    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var configured = context.HttpContext.RequestServices.GetRequiredService<IOptions<SpikeOptions>>().Value.AdminKey;
            if (string.IsNullOrEmpty(configured))
            {
                return Problems.AdminDisabled();
            }

            if (!Matches(context.HttpContext.Request.Headers[HeaderName].ToString(), configured))
            {
                return Problems.AdminKeyRequired(HeaderName);
            }

            return await next(context);
        });

    /// <summary>Constant-time comparison, so response timing does not reveal how much of a guess was right.</summary>
    internal static bool Matches(string presented, string configured) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}
