namespace SpikeApp.Buyers;

/// <summary>
/// Where buyer authentication is configured: the framework's own <c>Authentication:Schemes:Bearer</c> section, the one
/// <c>dotnet user-jwts</c> writes, so an OIDC provider's <c>Authority</c> replaces the dev keys with no code change.
/// </summary>
public static class BuyerAuthentication
{
    public const string SectionName = "Authentication:Schemes:Bearer";

    /// <summary>The issuer and audience of the dev tokens the AppHost's key signs (LoadGen, tests).</summary>
    public const string DevIssuer = "spikeapp-dev";
    public const string DevAudience = "spikeapp";

    /// <summary>
    /// The AppHost's dev key, issuer and audience go under this child name rather than an index, so the entries
    /// <c>dotnet user-jwts</c> writes (<c>0</c>, <c>1</c>, …) live beside them instead of being overwritten.
    /// </summary>
    public const string DevEntryName = "spikeapp-dev";

    /// <summary>The claim that names the buyer.</summary>
    public const string SubjectClaim = "sub";

    public const string DevValidIssuerSetting = SectionName + ":ValidIssuers:" + DevEntryName;
    public const string DevValidAudienceSetting = SectionName + ":ValidAudiences:" + DevEntryName;
    public const string DevKeyIssuerSetting = SectionName + ":SigningKeys:" + DevEntryName + ":Issuer";
    public const string DevKeyValueSetting = SectionName + ":SigningKeys:" + DevEntryName + ":Value";

    /// <summary>The settings that make a service accept (or the LoadGen mint) dev tokens signed with <paramref name="base64Key"/>.</summary>
    public static IReadOnlyDictionary<string, string> DevSettings(string base64Key) => new Dictionary<string, string>
    {
        [DevValidIssuerSetting] = DevIssuer,
        [DevValidAudienceSetting] = DevAudience,
        [DevKeyIssuerSetting] = DevIssuer,
        [DevKeyValueSetting] = base64Key,
    };
}
