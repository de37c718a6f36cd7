using System.Net.Http.Json;

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

        return resource.WithHttpCommand($"/api/sales/{saleId}", "Reset sale", endpointName: endpointName, commandName: "reset-sale", commandOptions: new HttpCommandOptions
        {
            Method = HttpMethod.Put,
            Description = $"Starts a new round of sale '{saleId}' with {total} units: pending orders are voided, paid ones stay paid, and each replica takes a fresh slice.",
            ConfirmationMessage = $"Reset sale '{saleId}'? Its pending orders are voided and it sells {total} units again.",
            IconName = "ArrowReset",
            PrepareRequest = async context =>
            {
                using var current = await context.HttpClient.GetAsync(context.Request.RequestUri, context.CancellationToken);
                if (current.Headers.ETag is { } epoch)
                {
                    context.Request.Headers.IfMatch.Add(epoch);
                }

                context.Request.Headers.Add("X-Admin-Key", await adminKey.Resource.GetValueAsync(context.CancellationToken));
                context.Request.Content = JsonContent.Create(new { total });
            },
        });
    }
}
