using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SpikeApp.Testing;

namespace SpikeApp.Gateway.Tests;

/// <summary>
/// The public port forwards only the public routes (purchase, sale, order, seed); the admin routes and health answer on
/// the admin port only; everything else is the gateway's own 404.
/// </summary>
public class PublicRoutesTests
{
    public static TheoryData<string, string> PublicRoutes => new()
    {
        { "POST", "/api/sales/default/purchases" },
        { "GET", "/api/sales/default" },
        { "GET", "/api/sales/default/orders/0123456789abcdef01234567" },
        { "POST", "/api/sales/default/orders/0123456789abcdef01234567/payment" },
        { "GET", "/api/sales/default/buyers/me/order" },
        { "GET", "/buy/skill" },
        { "GET", "/buy/ticket" },
        // The replicas' routing ignores case and a trailing slash; so does the gateway's.
        { "GET", "/Buy/Skill/" },
    };

    public static TheoryData<string, string> NotPublic => new()
    {
        // The admin PUT, and the public paths with a method they do not take.
        { "PUT", "/api/sales/default" },
        { "DELETE", "/api/sales/default" },
        { "GET", "/api/sales/default/purchases" },
        { "POST", "/buy/skill" },
        { "HEAD", "/buy/skill" },
        // Health and anything the replicas might answer one day.
        { "GET", "/health" },
        { "GET", "/alive" },
        { "GET", "/" },
        { "GET", "/api/sales" },
        { "GET", "/api/sales/default/orders" },
        // A buyer asks for their own order only; naming another buyer in the path is gone.
        { "GET", "/api/sales/default/buyers/alice/order" },
        { "GET", "/buy" },
        { "GET", "/buy/skill/extra" },
        { "GET", "/openapi/v1.json" },
        // The order processor's read API is internal: it answers on the processor's own port, never through the door.
        { "GET", "/api/orders/default/summary" },
        { "GET", "/api/orders/default/0123456789abcdef01234567" },
    };

    [Theory]
    [MemberData(nameof(PublicRoutes))]
    public async Task APublicRouteIsForwarded(string method, string path)
    {
        await using var replica = await Backend.StartAsync("api-1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();

        using var response = await client.SendAsync(Request(method, path));

        Assert.Equal((HttpStatusCode.OK, "api-1"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal(1, replica.Served);
    }

    /// <summary>The routes a buyer sends their token on.</summary>
    public static TheoryData<string, string> BuyerRoutes => new()
    {
        { "POST", "/api/sales/default/purchases" },
        { "GET", "/api/sales/default/orders/0123456789abcdef01234567" },
        { "POST", "/api/sales/default/orders/0123456789abcdef01234567/payment" },
        { "GET", "/api/sales/default/buyers/me/order" },
    };

    [Theory]
    [MemberData(nameof(BuyerRoutes))]
    public async Task ABuyersAuthorizationHeaderReachesTheReplicaUntouched(string method, string path)
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = context => context.Response.WriteAsync(context.Request.Headers.Authorization.ToString());
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();
        using var request = Request(method, path);
        request.Headers.Authorization = TestBuyers.BearerFor("alice");

        using var response = await client.SendAsync(request);

        Assert.Equal((HttpStatusCode.OK, $"Bearer {TestBuyers.TokenFor("alice")}"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [MemberData(nameof(NotPublic))]
    public async Task AnythingElseIsTheGateways404AndReachesNoReplica(string method, string path)
    {
        await using var replica = await Backend.StartAsync("api-1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();

        using var response = await client.SendAsync(Request(method, path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, replica.Served);
        if (method != "HEAD")
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("urn:spikeapp:problem:not-found", problem.RootElement.GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task TheAdminPortForwardsTheAdminRoutesAndAnswersHealthButNotThePublicRoutes()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = context => context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path}");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();
        using var admin = gateway.CreateAdminClient();

        using var sale = await admin.GetAsync("/api/sales/default");
        using var reset = await admin.SendAsync(Request("PUT", "/api/sales/default"));
        using var health = await admin.GetAsync("/health");
        using var alive = await admin.GetAsync("/alive");
        using var purchase = await admin.SendAsync(Request("POST", "/api/sales/default/purchases"));

        Assert.Equal("GET /api/sales/default", await sale.Content.ReadAsStringAsync());
        Assert.Equal("PUT /api/sales/default", await reset.Content.ReadAsStringAsync());
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, purchase.StatusCode);
        Assert.Equal(2, replica.Served);
    }

    [Fact]
    public async Task AHostHeaderNamingTheAdminPortOpensNothingOnThePublicPort()
    {
        await using var replica = await Backend.StartAsync("api-1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();
        var request = Request("PUT", "/api/sales/default");
        request.Headers.Host = $"127.0.0.1:{gateway.AdminPort}";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, replica.Served);
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method is "POST" or "PUT" ? new StringContent("""{"userId":"alice","total":10}""", Encoding.UTF8, "application/json") : null,
    };
}
