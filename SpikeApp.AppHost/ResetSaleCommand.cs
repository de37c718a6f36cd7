using System.Net.Http.Json;

namespace SpikeApp.AppHost;

internal static class ResetSaleCommand
{
    /// <summary>
    /// Adds a dashboard command that resets the sale (a new round: fresh slices on every replica, the last round's pending
    /// orders voided, paid ones kept), so a load test can run again without restarting anything. It reads the sale first
    /// and resets exactly the epoch it read (<c>If-Match</c>). The admin key travels in a header, never in the command's
    /// arguments.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithResetSaleCommand(
        this IResourceBuilder<ProjectResource> resource, string saleId, int total, IResourceBuilder<ParameterResource> adminKey)
    {
        if (!resource.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return resource;
        }

        return resource.WithHttpCommand($"/api/sales/{saleId}", "Reset sale", commandName: "reset-sale", commandOptions: new HttpCommandOptions
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
