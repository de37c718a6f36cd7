using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SpikeApp.Buyers;
using SpikeApp.Contracts.Problems;
using SpikeApp.LoadGen.Buyers;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.Testing;

namespace SpikeApp.LoadGen.Tests;

/// <summary>
/// Buyers as the stub APIs take them, the way the API does: a bearer token in the <c>Authorization</c> header, signed
/// with the test key (<see cref="TestBuyers"/>) for its issuer and audience, its <c>sub</c> the buyer id.
/// </summary>
internal static class StubBuyers
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    private static readonly TokenValidationParameters Validation = new()
    {
        ValidIssuer = BuyerAuthentication.DevIssuer,
        ValidAudience = BuyerAuthentication.DevAudience,
        IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(TestBuyers.SigningKey)),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    /// <summary>The tokens a run's phase sends, as the load test mints them.</summary>
    public static BuyerTokens For(LoadPhase phase) => BuyerTokens.Mint(TestBuyers.Minter, phase.Buyers(), Lifetime);

    /// <summary>The tokens of the buyers who hold an order in <paramref name="run"/>, for reading them back.</summary>
    public static BuyerTokens For(RunEvidence run) => BuyerTokens.Mint(TestBuyers.Minter, run.Orders.Orders().Select(order => order.UserId), Lifetime);

    /// <summary>The buyer the request's token names; null without a valid one (no header, another scheme, a bad token).</summary>
    public static async Task<string?> BuyerOfAsync(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var result = await Handler.ValidateTokenAsync(header["Bearer ".Length..], Validation);
        return result.IsValid && result.Claims.TryGetValue(BuyerAuthentication.SubjectClaim, out var subject) && subject is string { Length: > 0 } sub
            ? BuyerIds.FromSubject(result.Issuer, sub)
            : null;
    }

    /// <summary>What the API answers a request without a valid token.</summary>
    public static IResult Unauthenticated(HttpResponse response)
    {
        response.Headers.WWWAuthenticate = "Bearer";
        return Results.Text($$"""{"type":"{{ProblemTypes.Unauthenticated}}","status":401}""", "application/problem+json", statusCode: StatusCodes.Status401Unauthorized);
    }
}
