using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using SpikeApp.Buyers;

namespace SpikeApp.Testing;

/// <summary>
/// One dev signing key every test host, process and AppHost run accepts, and tokens minted with it: a test buys, reads
/// and pays as a buyer the way a client does, with that buyer's bearer token.
/// </summary>
public static class TestBuyers
{
    public static readonly string SigningKey = Convert.ToBase64String(SHA512.HashData(Encoding.UTF8.GetBytes("spikeapp-test-buyers")));

    /// <summary>The settings (configuration keys with <c>:</c>) a host needs to accept the tokens of <see cref="Minter"/>.</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = BuyerAuthentication.DevSettings(SigningKey);

    /// <summary>The same, as environment variables (<c>__</c>) for a service started as a process.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } =
        Settings.ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value);

    public static BuyerTokenMinter Minter { get; } =
        new(new BuyerSigningKey(BuyerAuthentication.DevEntryName, BuyerAuthentication.DevIssuer, new(Convert.FromBase64String(SigningKey)) { KeyId = BuyerAuthentication.DevEntryName }),
            BuyerAuthentication.DevAudience);

    private static readonly ConcurrentDictionary<string, string> Tokens = new(StringComparer.Ordinal);

    /// <summary>A token whose <c>sub</c> is <paramref name="userId"/>, valid for an hour (one per buyer, minted once).</summary>
    public static string TokenFor(string userId) => Tokens.GetOrAdd(userId, static userId => Minter.Mint(userId, TimeSpan.FromHours(1)));

    public static AuthenticationHeaderValue BearerFor(string userId) => new("Bearer", TokenFor(userId));

    /// <summary>A request sent as <paramref name="userId"/>.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string uri, string userId, HttpContent? content = null) =>
        new(method, uri) { Content = content, Headers = { Authorization = BearerFor(userId) } };
}
