using System.Net.Http.Json;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.AppHost;

internal static class ResetSaleCommand
{
    /// <summary>
    /// Resets exactly the epoch it read (<c>If-Match</c>), through <paramref name="endpointName"/> (the public URL has no
    /// admin route); the admin key goes in a header, never in the arguments.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithResetSaleCommand(
        this IResourceBuilder<ProjectResource> resource, string endpointName, string saleId, int total, IResourceBuilder<ParameterResource> adminKey)
    {
        if (!resource.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return resource;
        }

        return resource
            .WithSaleCommand(endpointName, saleId, total, adminKey, "reset-sale", "Reset sale", "ArrowReset", opensIn: null,
                $"Starts a new round of sale '{saleId}' with {total} units, open at once: pending orders are voided, paid ones stay paid, and each replica takes a fresh slice.",
                $"Reset sale '{saleId}'? Its pending orders are voided and it sells {total} units again.")
            .WithSaleCommand(endpointName, saleId, total, adminKey, "schedule-opening", "Reset sale, opening in 30 s", "Timer", opensIn: OpeningLead,
                $"Starts a new round of sale '{saleId}' with {total} units that opens {OpeningLead.TotalSeconds:0} s from now: buyers are refused (409 sale-not-open, Retry-After) until then, on every replica at once.",
                $"Reset sale '{saleId}' to open in {OpeningLead.TotalSeconds:0} s? Its pending orders are voided.");
    }

    /// <summary>Long enough to start the load generator (with <c>--wait-open</c>) after the command.</summary>
    public static readonly TimeSpan OpeningLead = TimeSpan.FromSeconds(30);

    private static IResourceBuilder<ProjectResource> WithSaleCommand(this IResourceBuilder<ProjectResource> resource, string endpointName, string saleId,
        int total, IResourceBuilder<ParameterResource> adminKey, string commandName, string displayName, string iconName, TimeSpan? opensIn,
        string description, string confirmation) =>
        resource.WithHttpCommand($"/api/sales/{saleId}", displayName, endpointName: endpointName, commandName: commandName, commandOptions: new HttpCommandOptions
        {
            Method = HttpMethod.Put,
            Description = description,
            ConfirmationMessage = confirmation,
            IconName = iconName,
            PrepareRequest = async context =>
            {
                using var current = await context.HttpClient.GetAsync(context.Request.RequestUri, context.CancellationToken);
                if (current.Headers.ETag is { } epoch)
                {
                    context.Request.Headers.IfMatch.Add(epoch);
                }

                context.Request.Headers.Add("X-Admin-Key", await adminKey.Resource.GetValueAsync(context.CancellationToken));
                context.Request.Content = JsonContent.Create(new SaleDefinition(total, DateTimeOffset.UtcNow + opensIn));
            },
        });
}
