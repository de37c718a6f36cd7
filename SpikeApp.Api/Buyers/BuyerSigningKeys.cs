using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using SpikeApp.Buyers;

namespace SpikeApp.Api.Buyers;

/// <summary>
/// The configured signing keys, read once (the framework's own reading is re-run on every validation) and again when
/// the configuration reloads, so a key can be added or dropped without a restart. Each key serves only its issuer.
/// </summary>
public sealed partial class BuyerSigningKeys : IDisposable
{
    private readonly IConfiguration _bearer;
    private readonly ILogger<BuyerSigningKeys> _logger;
    private readonly IDisposable _reloads;
    private volatile Dictionary<string, SecurityKey[]> _byIssuer;

    public BuyerSigningKeys(IConfiguration configuration, ILogger<BuyerSigningKeys> logger)
    {
        _bearer = configuration.GetSection(BuyerAuthentication.SectionName);
        _logger = logger;
        _byIssuer = Read(_bearer);
        _reloads = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    /// <summary>Whether this service checks tokens with its own keys (dev, <c>dotnet user-jwts</c>) rather than an authority's.</summary>
    public bool Configured => _byIssuer.Count > 0;

    /// <summary>The keys that may have signed a token of <paramref name="issuer"/>: a key configured for one issuer never vouches for another.</summary>
    public IEnumerable<SecurityKey> For(string? issuer) =>
        issuer is not null && _byIssuer.TryGetValue(issuer, out var keys) ? keys : [];

    public void Dispose() => _reloads.Dispose();

    private void Reload()
    {
        try
        {
            var byIssuer = Read(_bearer);
            _byIssuer = byIssuer;
            var keyCount = byIssuer.Values.Sum(keys => keys.Length);
            LogReloaded(keyCount, byIssuer.Count);
        }
        catch (InvalidOperationException ex)
        {
            // A half-written secret must not lock every buyer out: the keys in force stay until the next good reading.
            LogReloadFailed(ex.Message);
        }
    }

    private static Dictionary<string, SecurityKey[]> Read(IConfiguration bearer) =>
        BuyerSigningKey.ReadAll(bearer)
            .GroupBy(key => key.Issuer, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Select(key => (SecurityKey)key.Key).ToArray(), StringComparer.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Buyer signing keys reloaded: {KeyCount} keys for {IssuerCount} issuers.")]
    private partial void LogReloaded(int keyCount, int issuerCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Buyer signing keys not reloaded, the previous keys stay in force: {Reason}")]
    private partial void LogReloadFailed(string reason);
}
