using System.Net.Http.Json;

namespace SpikeApp.AppHost;

internal static class ResetSaleCommand
{
    /// <summary>
    /// Adds a dashboard command that resets the sale (orders cleared, fresh slices on every replica), so a load test can
    /// run again without restarting anything. The admin key travels in a header, never in the command's arguments.
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
            Description = $"Starts sale '{saleId}' again with {total} units: every order is forgotten and each replica takes a fresh slice.",
            ConfirmationMessage = $"Reset sale '{saleId}'? Every order of the current sale is deleted.",
            IconName = "ArrowReset",
            PrepareRequest = async context =>
            {
                context.Request.Headers.Add("X-Admin-Key", await adminKey.Resource.GetValueAsync(context.CancellationToken));
                context.Request.Content = JsonContent.Create(new { total });
            },
        });
    }
}
