using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost;

/// <summary>The <c>loadgen</c> resource's command line, from the AppHost's <c>LoadGen</c> section.</summary>
internal static class LoadGenArguments
{
    public static string[] From(IConfigurationSection settings, string saleId)
    {
        var arguments = new List<string>
        {
            // Resolved by service discovery to the API's endpoint.
            "--url", "http://api",
            // Long forms only: Aspire starts the project with 'dotnet run', which would take -c as its own --configuration.
            "--requests", settings["Requests"] ?? "20000",
            "--concurrency", settings["Concurrency"] ?? "100",
            "--mode", settings["Mode"] ?? "api",
            "--sale", saleId,
        };

        if (settings["Users"] is { Length: > 0 } users)
        {
            arguments.AddRange(["--users", users]);
        }

        if (settings["Duration"] is { Length: > 0 } duration)
        {
            arguments.AddRange(["--duration", duration]);
        }

        if (settings["JsonReport"] is { Length: > 0 } jsonReport)
        {
            arguments.AddRange(["--json", Path.GetFullPath(jsonReport)]);
        }

        return [.. arguments];
    }
}
