using SpikeApp.Buyers;

namespace SpikeApp.AppHost;

internal static class DevBuyerTokenExtensions
{
    /// <summary>
    /// Passes <see cref="BuyerAuthentication.DevSettings"/> as environment variables: a replica then accepts, and the
    /// LoadGen mints, dev buyer tokens signed with <paramref name="signingKey"/>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDevBuyerTokens(this IResourceBuilder<ProjectResource> resource, IResourceBuilder<ParameterResource> signingKey)
    {
        // The names and fixed values come from where the services read them; the key goes as the parameter itself, so it
        // is resolved only when the process starts and shown as a secret, never written out as a value.
        foreach (var (setting, value) in BuyerAuthentication.DevSettings(base64Key: string.Empty))
        {
            var name = setting.Replace(":", "__", StringComparison.Ordinal);
            if (setting == BuyerAuthentication.DevKeyValueSetting)
            {
                resource.WithEnvironment(name, signingKey);
            }
            else
            {
                resource.WithEnvironment(name, value);
            }
        }

        return resource;
    }
}
