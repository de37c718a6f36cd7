using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SpikeApp.Api.Errors;
using SpikeApp.Buyers;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Api.Buyers;

public static class BuyerAuthenticationExtensions
{
    public const string BuyerPolicy = "buyer";

    /// <summary>
    /// Adds bearer authentication of buyers from <c>Authentication:Schemes:Bearer</c>: dev signing keys (the AppHost's,
    /// <c>dotnet user-jwts</c>) or an OIDC <c>Authority</c>, never both; and the policy that names the buyer.
    /// </summary>
    public static void AddBuyerAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BuyerOptions>()
            .BindConfiguration(BuyerOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BuyerOptions>, BuyerOptionsValidator>();
        builder.Services.AddSingleton<BuyerSigningKeys>();

        // No default scheme, not even the one the framework picks when there is a single scheme: only the buyer endpoints'
        // policy authenticates, so the seed's anonymous flood pays nothing for authentication.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        builder.Services.AddAuthentication().AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .PostConfigure<BuyerSigningKeys, IOptions<BuyerOptions>>((bearer, keys, buyers) => Configure(bearer, keys, buyers.Value))
            .Validate<BuyerSigningKeys>(
                (bearer, keys) => keys.Configured != !string.IsNullOrEmpty(bearer.Authority),
                $"Configure buyer tokens one way: {BuyerAuthentication.SectionName}:Authority (an OIDC provider) or :SigningKeys (development), not both and not neither.")
            .Validate(
                bearer => bearer.TokenValidationParameters.ValidAudiences?.Any() == true,
                $"Configure {BuyerAuthentication.SectionName}:Audience or :ValidAudiences: a token meant for another service must not buy here.")
            .ValidateOnStart();

        builder.Services.AddAuthorizationBuilder().AddPolicy(BuyerPolicy, policy => policy
            .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(BuyerAuthentication.SubjectClaim));
    }

    /// <summary>Requires a buyer's token on the endpoints (401 without a valid one, 403 when it names no buyer).</summary>
    public static TBuilder RequireBuyer<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(BuyerPolicy);

    /// <summary>The buyer the authenticated token names (<see cref="BuyerIds"/>).</summary>
    public static string BuyerId(this ClaimsPrincipal user)
    {
        var subject = user.FindFirst(BuyerAuthentication.SubjectClaim)
            ?? throw new InvalidOperationException("The buyer policy lets no request without 'sub' through.");
        return BuyerIds.FromSubject(subject.Issuer, subject.Value);
    }

    // A malformed token surfaces as a plain ArgumentException (its base64 or JSON did not parse).
    private static bool IsBadToken(Exception failure) => failure is SecurityTokenException or ArgumentException;

    /// <summary>
    /// A token refused while the authority's metadata (its keys, its issuer) cannot be read was not checked at all:
    /// IdentityModel reports that as a bad token, so the metadata is asked for again, on refusals only.
    /// </summary>
    private static async Task<bool> CanCheckTokensAsync(Exception failure, JwtBearerOptions bearer, CancellationToken cancellationToken)
    {
        if (!IsBadToken(failure))
        {
            return false;
        }

        if (bearer.ConfigurationManager is not { } metadata)
        {
            return true;
        }

        try
        {
            await metadata.GetConfigurationAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    private static string[] NonEmpty(IEnumerable<string?> values) =>
        values.Where(value => !string.IsNullOrEmpty(value)).Distinct(StringComparer.Ordinal).ToArray()!;

    private static void Configure(JwtBearerOptions bearer, BuyerSigningKeys keys, BuyerOptions buyers)
    {
        // Claims keep their JWT names: "sub" is the buyer, not a mapped nameidentifier URI.
        bearer.MapInboundClaims = false;
        var validation = bearer.TokenValidationParameters;
        validation.ClockSkew = buyers.ClockSkew;
        validation.RequireExpirationTime = true;
        validation.RequireSignedTokens = true;
        validation.ValidateIssuerSigningKey = true;
        validation.NameClaimType = BuyerAuthentication.SubjectClaim;
        // One list, blanked-out entries dropped: an Audience or ValidAudience set in code counts as much as ValidAudiences.
        validation.ValidAudiences = NonEmpty([.. validation.ValidAudiences ?? [], validation.ValidAudience, bearer.Audience]);
        validation.ValidIssuers = NonEmpty([.. validation.ValidIssuers ?? [], validation.ValidIssuer]);
        // The framework's key list is a query re-run on every validation (one that throws on a blanked-out entry) and not
        // bound to issuers; configured keys come from the resolver below, an authority's from its metadata.
        validation.IssuerSigningKeys = null;
        if (keys.Configured)
        {
            validation.IssuerSigningKeyResolver = (_, token, _, _) => keys.For(token.Issuer);
            validation.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }

        bearer.Events = new JwtBearerEvents
        {
            // Anything but a bad token would otherwise be rethrown as a 500; the challenge below tells which it was.
            OnAuthenticationFailed = context =>
            {
                if (!IsBadToken(context.Exception))
                {
                    context.Fail(context.Exception);
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                if (context.AuthenticateFailure is { } failure && !await CanCheckTokensAsync(failure, context.Options, context.HttpContext.RequestAborted))
                {
                    // The token may be fine: the buyer is told to retry, not that their token is bad.
                    context.Response.Headers.RetryAfter = RetryAfter.DefaultValue;
                    await Problems.IdentityUnavailable().ExecuteAsync(context.HttpContext);
                    return;
                }

                context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
                await Problems.Unauthenticated().ExecuteAsync(context.HttpContext);
            },
            OnForbidden = context => Problems.NoBuyerIdentity().ExecuteAsync(context.HttpContext),
        };
    }
}
