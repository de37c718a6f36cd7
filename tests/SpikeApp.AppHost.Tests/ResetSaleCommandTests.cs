using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SpikeApp.AppHost.Tests;

[Collection(OneAppHostAtATime.Name)]
public class ResetSaleCommandTests
{
    private const int Total = 500, Bought = 20;

    [Fact]
    public async Task TheResetSaleCommandStartsTheSaleAgain()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancellationToken = timeout.Token;
        await using var app = await SpikeAppHost.StartAsync(replicas: 2, Total, bufferRatio: 0.2, cancellationToken);
        using var api = app.CreateHttpClient("api");
        for (var buyer = 0; buyer < Bought; buyer++)
        {
            using var bought = await api.PostAsJsonAsync("/api/sales/default/purchases", new { userId = $"buyer-{buyer}" }, cancellationToken);
            Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        }

        // The dashboard's "Reset sale" command (it sends the admin key itself) makes the sale sellable again.
        var replica = await app.ResourceNotifications.WaitForResourceAsync("api", update => update.Snapshot.HealthStatus == HealthStatus.Healthy, cancellationToken);
        var reset = await app.ResourceCommands.ExecuteCommandAsync(replica.ResourceId, "reset-sale", cancellationToken);

        using var redis = await SpikeAppHost.ConnectRedisAsync(app, cancellationToken);
        var sale = (await redis.GetDatabase().HashGetAllAsync("spike:{default}:sale")).ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value);
        Assert.True(reset.Success, reset.Message);
        Assert.Equal((Total, 0, 2), (sale["total"], sale["sold"], sale["epoch"]));
    }
}
