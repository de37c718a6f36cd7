using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace SpikeApp.Buyers;

/// <summary>
/// One configured symmetric signing key, bound to the issuer it signs for. Configured as <c>dotnet user-jwts</c> writes
/// them: <c>SigningKeys:{name}:Issuer</c>, <c>:Value</c> (base64, at least 256 bits) and an optional <c>:Id</c>.
/// </summary>
public sealed record BuyerSigningKey(string Name, string Issuer, SymmetricSecurityKey Key)
{
    public const int MinKeyBytes = 32;

    /// <summary>Every key under <c>SigningKeys</c> of the bearer section; an entry that is not a usable key throws.</summary>
    public static IReadOnlyList<BuyerSigningKey> ReadAll(IConfiguration bearerSection)
    {
        var keys = new List<BuyerSigningKey>();
        foreach (var entry in bearerSection.GetSection("SigningKeys").GetChildren())
        {
            // A later configuration source can blank an entry out but not remove it: blank is no key.
            if (string.IsNullOrEmpty(entry["Issuer"]) && string.IsNullOrEmpty(entry["Value"]))
            {
                continue;
            }

            var issuer = entry["Issuer"];
            if (string.IsNullOrWhiteSpace(issuer))
            {
                throw new InvalidOperationException($"Signing key '{entry.Key}' names no Issuer: a key signs for one issuer only.");
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(entry["Value"] ?? string.Empty);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"Signing key '{entry.Key}' is not base64.");
            }

            if (bytes.Length < MinKeyBytes)
            {
                throw new InvalidOperationException($"Signing key '{entry.Key}' has {bytes.Length} bytes; HS256 needs at least {MinKeyBytes}.");
            }

            keys.Add(new BuyerSigningKey(entry.Key, issuer, new SymmetricSecurityKey(bytes) { KeyId = entry["Id"] ?? entry.Key }));
        }

        return keys;
    }
}
