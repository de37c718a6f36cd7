using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using SpikeApp.Contracts;

namespace SpikeApp.Buyers;

/// <summary>
/// The buyer id a token names. A <c>sub</c> that is a valid id is used as is (readable in Redis, logs and the ledger);
/// any other is hashed with its issuer under <see cref="HashedPrefix"/>, which no raw <c>sub</c> may use, so a buyer
/// can never pick a subject that equals another buyer's hashed id.
/// </summary>
public static class BuyerIds
{
    public const string HashedPrefix = "h--";

    private const int HashBytes = 24;

    public static string FromSubject(string issuer, string subject)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentException.ThrowIfNullOrEmpty(subject);
        if (Ids.IsValid(subject) && !subject.StartsWith(HashedPrefix, StringComparison.Ordinal))
        {
            return subject;
        }

        // Length-prefixed, so no (issuer, subject) pair can be spelled as another.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{issuer.Length}:{issuer}{subject}"));
        return HashedPrefix + Base64Url.EncodeToString(hash.AsSpan(0, HashBytes));
    }
}
