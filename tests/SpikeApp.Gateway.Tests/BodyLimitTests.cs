using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SpikeApp.Gateway.Tests;

/// <summary>A body larger than <c>Gateway:MaxRequestBodyBytes</c> can never be taken: 413, not a 503 to retry.</summary>
public class BodyLimitTests
{
    private static readonly string HundredKilobytes = $$"""{"userId":"alice","padding":"{{new string('x', 100 * 1024)}}"}""";

    [Fact]
    public async Task ABodyAnnouncedLargerThanTheLimitIs413AndReachesNoReplica()
    {
        await using var replica = await Backend.StartAsync("api-1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();

        using var response = await client.PostAsync("/api/sales/default/purchases", new StringContent(HundredKilobytes, Encoding.UTF8, "application/json"));

        await AssertBodyTooLargeAsync(response);
        Assert.Equal(0, replica.Served);
    }

    [Fact]
    public async Task AChunkedBodyThatOutgrowsTheLimitIs413()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = StatusCodes.Status201Created;
        };
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sales/default/purchases")
        {
            Content = new StringContent(HundredKilobytes, Encoding.UTF8, "application/json"),
        };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        await AssertBodyTooLargeAsync(response);
    }

    [Fact]
    public async Task ABodyWithinTheLimitIsForwarded()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = StatusCodes.Status201Created;
        };
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], new Dictionary<string, string?> { ["Gateway:MaxRequestBodyBytes"] = "200000" });
        using var client = gateway.Start();

        using var response = await client.PostAsync("/api/sales/default/purchases", new StringContent(HundredKilobytes, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task AssertBodyTooLargeAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:spikeapp:problem:body-too-large", problem.RootElement.GetProperty("type").GetString());
        Assert.Null(response.Headers.RetryAfter);
    }
}
