using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SpikeApp.Buyers;

/// <summary>Mints HS256 buyer tokens with a dev signing key: what the LoadGen and the tests present, as an IdP would.</summary>
public sealed class BuyerTokenMinter(BuyerSigningKey key, string audience, TimeProvider? time = null)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly SigningCredentials _credentials = new(key.Key, SecurityAlgorithms.HmacSha256);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Issuer => key.Issuer;

    public string Audience => audience;

    /// <summary>A minter for the dev key the configuration's bearer section holds for <see cref="BuyerAuthentication.DevIssuer"/>.</summary>
    public static BuyerTokenMinter FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration bearerSection)
    {
        var keys = BuyerSigningKey.ReadAll(bearerSection);
        var key = keys.FirstOrDefault(key => key.Name == BuyerAuthentication.DevEntryName)
            ?? keys.FirstOrDefault(key => key.Issuer == BuyerAuthentication.DevIssuer)
            ?? throw new InvalidOperationException($"No signing key for issuer '{BuyerAuthentication.DevIssuer}' under {BuyerAuthentication.SectionName}:SigningKeys.");
        return new BuyerTokenMinter(key, BuyerAuthentication.DevAudience);
    }

    /// <summary>A token for <paramref name="subject"/>, valid from now for <paramref name="lifetime"/>.</summary>
    public string Mint(string subject, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return Mint(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim(BuyerAuthentication.SubjectClaim, subject)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
        });
    }

    /// <summary>A token from a descriptor this minter completes with its issuer, audience and key (tests shape the rest).</summary>
    public string Mint(SecurityTokenDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        descriptor.Issuer ??= key.Issuer;
        descriptor.Audience ??= audience;
        descriptor.SigningCredentials ??= _credentials;
        return Handler.CreateToken(descriptor);
    }
}
