namespace SpikeApp.AppHost.Tests;

/// <summary>Who the AppHost gives the dev buyer signing key, read from its model.</summary>
public class BuyerKeyConfigurationTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task EveryReplicaAndTheLoadGenGetTheDevBuyerSettingsWithTheKeyAsASecretParameter()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var settings = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        string? generated = null;
        await ContainerModeModel.InspectAsync([], async appHost =>
        {
            foreach (var project in appHost.Resources.OfType<ProjectResource>())
            {
                settings[project.Name] = [.. (await ContainerModeModel.EnvironmentOfAsync(project))
                    .Where(variable => variable.Key.StartsWith("Authentication__", StringComparison.Ordinal))
                    .Select(variable => $"{variable.Key}={Describe(variable.Value)}")
                    .Order(StringComparer.Ordinal)];
            }

            var key = Assert.Single(appHost.Resources.OfType<ParameterResource>(), parameter => parameter.Name == "buyer-signing-key");
            generated = key.Default?.GetDefaultValue();
        }, timeout.Token);

        string[] devSettings =
        [
            "Authentication__Schemes__Bearer__SigningKeys__spikeapp-dev__Issuer=spikeapp-dev",
            "Authentication__Schemes__Bearer__SigningKeys__spikeapp-dev__Value={secret parameter buyer-signing-key}",
            "Authentication__Schemes__Bearer__ValidAudiences__spikeapp-dev=spikeapp",
            "Authentication__Schemes__Bearer__ValidIssuers__spikeapp-dev=spikeapp-dev",
        ];
        // The gateway forwards the Authorization header untouched and the order processor authenticates no one.
        Assert.Equal(["api-1", "api-2", "api-3", "gateway", "loadgen", "orders"], settings.Keys);
        Assert.All(["api-1", "api-2", "api-3", "loadgen"], name => Assert.Equal(devSettings, settings[name]));
        Assert.Empty(settings["gateway"]);
        Assert.Empty(settings["orders"]);
        // A generated key is used as it is: it must be base64 of at least the 32 bytes HS256 needs.
        Assert.Equal(48, Convert.FromBase64String(generated!).Length);
    }

    private static string Describe(object value) => value switch
    {
        string literal => literal,
        ParameterResource { Secret: true } parameter => $"{{secret parameter {parameter.Name}}}",
        ParameterResource parameter => $"{{parameter {parameter.Name}}}",
        _ => $"{{{value.GetType().Name}}}",
    };
}
