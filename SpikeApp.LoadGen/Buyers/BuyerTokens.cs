using System.Collections.Frozen;
using SpikeApp.Buyers;

namespace SpikeApp.LoadGen.Buyers;

/// <summary>
/// Each synthetic buyer's bearer token, minted before the timed phases so that signing costs no request anything; a
/// buyer buys, pays and reads their orders back with it. Tokens are credentials: nothing here is logged, tagged or reported.
/// </summary>
public sealed class BuyerTokens
{
    private const string Scheme = "Bearer ";

    private readonly FrozenDictionary<string, string> _authorizationByBuyer;

    private BuyerTokens(FrozenDictionary<string, string> authorizationByBuyer) => _authorizationByBuyer = authorizationByBuyer;

    /// <summary>Seed mode: its buyers are anonymous.</summary>
    public static BuyerTokens None { get; } = new(FrozenDictionary<string, string>.Empty);

    public int Count => _authorizationByBuyer.Count;

    /// <summary>A token for each distinct buyer id, its <c>sub</c> the id itself (the API takes a valid id as the buyer's).</summary>
    public static BuyerTokens Mint(BuyerTokenMinter minter, IEnumerable<string> buyerIds, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(minter);
        ArgumentNullException.ThrowIfNull(buyerIds);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var buyerId in buyerIds)
        {
            if (!tokens.ContainsKey(buyerId))
            {
                tokens.Add(buyerId, Scheme + minter.Mint(buyerId, lifetime));
            }
        }

        return new(tokens.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The <c>Authorization</c> header value for <paramref name="buyerId"/>, built once so that a request allocates none.</summary>
    public string AuthorizationFor(string buyerId) =>
        _authorizationByBuyer.TryGetValue(buyerId, out var authorization)
            ? authorization
            : throw new InvalidOperationException($"No token was minted for buyer '{buyerId}'.");
}
