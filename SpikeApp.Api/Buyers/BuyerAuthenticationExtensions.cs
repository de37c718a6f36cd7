using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SpikeApp.Api.Errors;
using SpikeApp.Buyers;

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

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .PostConfigure<BuyerSigningKeys, IOptions<BuyerOptions>>((bearer, keys, buyers) => Configure(bearer, keys, buyers.Value))
            .Validate<BuyerSigningKeys>(
                (bearer, keys) => keys.Configured != !string.IsNullOrEmpty(bearer.Authority),
                $"Configure buyer tokens one way: {BuyerAuthentication.SectionName}:Authority (an OIDC provider) or :SigningKeys (development), not both and not neither.")
            .Validate(
                bearer => bearer.TokenValidationParameters.ValidAudiences?.Any() == true || !string.IsNullOrEmpty(bearer.TokenValidationParameters.ValidAudience),
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
        if (keys.Configured)
        {
            // The framework's key list is a query re-run on every validation and not bound to issuers; the resolver is neither.
            validation.IssuerSigningKeys = null;
            validation.IssuerSigningKeyResolver = (_, token, _, _) => keys.For(token.Issuer);
            validation.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }

        bearer.Events = new JwtBearerEvents
        {
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
                await Problems.Unauthenticated().ExecuteAsync(context.HttpContext);
            },
            OnForbidden = context => Problems.NoBuyerIdentity().ExecuteAsync(context.HttpContext),
        };
    }
}
