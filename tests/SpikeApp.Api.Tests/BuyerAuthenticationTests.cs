using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SpikeApp.Buyers;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Problems;
using SpikeApp.Contracts.Sales;
using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

/// <summary>A buyer is who their bearer token says, and nobody else: every bad token is 401 and sells nothing.</summary>
[Collection(SharedRedis.Name)]
public sealed class BuyerAuthenticationTests(RedisServerFixture redis)
{

    private static readonly string[] Kinds =
    [
        "no header", "empty bearer", "basic scheme", "garbage", "expired", "not yet valid", "no expiry", "wrong audience",
        "wrong issuer", "another key", "tampered payload", "alg none", "header alg switched", "HS512 with the right key",
        "token in the query string", "token in a cookie",
    ];

    public static TheoryData<string> BadTokens => new(Kinds);

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task ABadOrMissingTokenIsUnauthenticatedAndSellsNothing(string kind)
    {
        await using var host = new ApiHost(redis, total: 3);
        var client = await host.StartAsync();

        using var request = BadRequest(kind, $"/api/sales/{host.SaleId}/purchases");
        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, ProblemTypes.Unauthenticated);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var sale = await SaleAsync(client, host.SaleId);
        Assert.Equal((0, 3), (sale.Sold, sale.Replica.SliceRemaining));
    }

    [Fact]
    public async Task AValidTokenThatNamesNoBuyerIsForbiddenAndSellsNothing()
    {
        await using var host = new ApiHost(redis, total: 3);
        var client = await host.StartAsync();
        var now = DateTime.UtcNow;
        var token = TestBuyers.Minter.Mint(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["name"] = "alice" },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
        });

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sales/{host.SaleId}/purchases") { Headers = { Authorization = new("Bearer", token) } };
        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, ProblemTypes.NoBuyerIdentity);
        Assert.Equal(0, (await SaleAsync(client, host.SaleId)).Sold);
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("h--looks-hashed")]
    public async Task ASubjectThatIsNoPlainIdBuysUnderItsHashedBuyerId(string subject)
    {
        await using var host = new ApiHost(redis, total: 3);
        var client = await host.StartAsync();

        using var bought = await client.BuyAsAsync(host.SaleId, subject);
        using var held = await client.GetMyOrderAsync(host.SaleId, subject);

        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        var buyer = (await bought.Content.ReadFromJsonAsync<PurchaseResponse>())!.UserId;
        Assert.Equal(BuyerIds.FromSubject(BuyerAuthentication.DevIssuer, subject), buyer);
        Assert.StartsWith(BuyerIds.HashedPrefix, buyer, StringComparison.Ordinal);
        Assert.NotEqual(subject, buyer);
        Assert.Equal(buyer, (await held.Content.ReadFromJsonAsync<Order>())!.UserId);
    }

    [Fact]
    public async Task AnotherBuyerCanNeitherReadNorPayNorLookUpAnOrder()
    {
        await using var host = new ApiHost(redis, total: 3);
        var client = await host.StartAsync();
        using var bought = await client.BuyAsAsync(host.SaleId, "alice");
        var orderId = (await bought.Content.ReadFromJsonAsync<PurchaseResponse>())!.OrderId;

        using var foreignRead = await client.GetOrderAsAsync(host.SaleId, orderId, "bob");
        using var missingRead = await client.GetOrderAsAsync(host.SaleId, "0-0", "bob");
        using var foreignPayment = await client.PayAsAsync(host.SaleId, orderId, "bob", "pay-bob");
        using var missingPayment = await client.PayAsAsync(host.SaleId, "0-0", "bob", "pay-bob");
        using var lookUp = await client.GetMyOrderAsync(host.SaleId, "bob");
        using var own = await client.GetOrderAsAsync(host.SaleId, orderId, "alice");

        // Someone else's order answers exactly as a missing one: only the trace id and the id asked for differ.
        Assert.Equal(
            await WithoutTraceAsync(missingRead, "0-0"),
            await WithoutTraceAsync(foreignRead, orderId));
        Assert.Equal(
            await WithoutTraceAsync(missingPayment, "0-0"),
            await WithoutTraceAsync(foreignPayment, orderId));
        await AssertProblemAsync(foreignRead, HttpStatusCode.NotFound, ProblemTypes.NoOrder);
        await AssertProblemAsync(lookUp, HttpStatusCode.NotFound, ProblemTypes.NoOrder);
        var order = (await own.Content.ReadFromJsonAsync<Order>())!;
        Assert.Equal((OrderStatus.Pending, "alice", (string?)null), (order.Status, order.UserId, order.PaymentReference));
    }

    [Fact]
    public async Task TwoKeysAreAcceptedAndADroppedKeysTokensAreRefusedWithoutARestart()
    {
        var file = Path.Combine(Path.GetTempPath(), $"spike-buyer-keys-{Guid.NewGuid():N}.json");
        var rotatedKey = RandomNumberGenerator.GetBytes(48);
        var rotated = new BuyerTokenMinter(
            new BuyerSigningKey("rotated", BuyerAuthentication.DevIssuer, new SymmetricSecurityKey(rotatedKey) { KeyId = "rotated" }), BuyerAuthentication.DevAudience);
        await File.WriteAllTextAsync(file, KeyFile(Convert.ToBase64String(rotatedKey)));
        try
        {
            await using var host = new ApiHost(redis, total: 3, settingsFile: file);
            var client = await host.StartAsync();

            Assert.Equal(HttpStatusCode.NotFound, await LookUpStatusAsync(client, host.SaleId, TestBuyers.TokenFor("alice")));
            Assert.Equal(HttpStatusCode.NotFound, await LookUpStatusAsync(client, host.SaleId, rotated.Mint("bob", TimeSpan.FromMinutes(10))));

            await File.WriteAllTextAsync(file, KeyFile(rotatedKey: null));
            using var reloaded = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            for (var poll = 0; await LookUpStatusAsync(client, host.SaleId, rotated.Mint($"bob-{poll}", TimeSpan.FromMinutes(10))) != HttpStatusCode.Unauthorized; poll++)
            {
                await Task.Delay(50, reloaded.Token);
            }

            Assert.Equal(HttpStatusCode.NotFound, await LookUpStatusAsync(client, host.SaleId, TestBuyers.TokenFor("carol")));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ABuyerBeyondTheirBucketIsRateLimitedAndOthersAreNot()
    {
        await using var host = new ApiHost(redis, total: 5, settings: new Dictionary<string, string?>
        {
            ["Spike:Buyers:RateLimit:TokenLimit"] = "3",
            ["Spike:Buyers:RateLimit:TokensPerPeriod"] = "1",
            ["Spike:Buyers:RateLimit:ReplenishmentPeriod"] = "00:01:00",
        });
        var client = await host.StartAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var send in new Func<Task<HttpResponseMessage>>[]
        {
            () => client.BuyAsAsync(host.SaleId, "alice"),
            () => client.GetMyOrderAsync(host.SaleId, "alice"),
            () => client.GetMyOrderAsync(host.SaleId, "alice"),
        })
        {
            using var response = await send();
            statuses.Add(response.StatusCode);
        }

        using var limited = await client.BuyAsAsync(host.SaleId, "alice");
        using var other = await client.BuyAsAsync(host.SaleId, "bob");

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK], statuses);
        await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.Equal(2, (await SaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task AKnownSoldOutSaleIsAnsweredBeforeAuthentication()
    {
        await using var host = new ApiHost(redis, total: 1);
        var client = await host.StartAsync();
        (await client.BuyAsAsync(host.SaleId, "alice")).Dispose();
        using var told = await client.BuyAsAsync(host.SaleId, "bob");
        Assert.Equal(HttpStatusCode.Conflict, told.StatusCode);

        foreach (var kind in new[] { "no header", "garbage", "another key" })
        {
            using var request = BadRequest(kind, $"/api/sales/{host.SaleId}/purchases");
            using var response = await client.SendAsync(request);
            await AssertProblemAsync(response, HttpStatusCode.Conflict, ProblemTypes.SoldOut);
        }

        Assert.Equal(1, (await SaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task WithTheSeedApiOffItsAnonymousRoutesAreGone()
    {
        await using var host = new ApiHost(redis, total: 3, settings: new Dictionary<string, string?> { ["Spike:SeedApi:Enabled"] = "false" });
        var client = await host.StartAsync();

        using var skill = await client.GetAsync("/buy/skill");

        await AssertProblemAsync(skill, HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Equal(0, (await SaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task AnOidcAuthorityReplacesTheDevKeysWithNoCodeChange()
    {
        await using var provider = await StubOidcProvider.StartAsync();
        await using var host = new ApiHost(redis, total: 3, settings: AuthoritySettings(provider.Authority, "spikeapp-api"));
        var client = await host.StartAsync();

        using var bought = await BuyWithAsync(client, host.SaleId, provider.Mint("oidc-alice", "spikeapp-api"));
        using var otherAudience = await BuyWithAsync(client, host.SaleId, provider.Mint("oidc-bob", "another-api"));
        using var rsa = RSA.Create(2048);
        using var forged = await BuyWithAsync(client, host.SaleId, provider.Mint("oidc-carol", "spikeapp-api", otherKey: rsa));
        using var devToken = await BuyWithAsync(client, host.SaleId, TestBuyers.TokenFor("dave"));

        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        Assert.Equal("oidc-alice", (await bought.Content.ReadFromJsonAsync<PurchaseResponse>())!.UserId);
        Assert.Equal(
            (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized),
            (otherAudience.StatusCode, forged.StatusCode, devToken.StatusCode));
        Assert.Equal(1, (await SaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task AnAuthorityThatDoesNotAnswerIsUnavailableNotUnauthenticated()
    {
        var provider = await StubOidcProvider.StartAsync();
        var token = provider.Mint("oidc-alice", "spikeapp-api");
        await provider.DisposeAsync();
        await using var host = new ApiHost(redis, total: 3, settings: AuthoritySettings(provider.Authority, "spikeapp-api"));
        var client = await host.StartAsync();

        using var withToken = await BuyWithAsync(client, host.SaleId, token);
        using var withoutToken = await client.PostAsync($"/api/sales/{host.SaleId}/purchases", content: null);

        // A valid token the replica cannot check is not called bad; no token at all is.
        await AssertProblemAsync(withToken, HttpStatusCode.ServiceUnavailable, ProblemTypes.Unavailable);
        Assert.Equal(TimeSpan.FromSeconds(1), withToken.Headers.RetryAfter!.Delta);
        await AssertProblemAsync(withoutToken, HttpStatusCode.Unauthorized, ProblemTypes.Unauthenticated);
        Assert.Equal(0, (await SaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task AReplicaWithDevKeysAndAnAuthorityRefusesToStart()
    {
        await using var host = new ApiHost(redis, settings: new Dictionary<string, string?>
        {
            [$"{BuyerAuthentication.SectionName}:Authority"] = "https://idp.example.invalid",
        });

        var refused = await Assert.ThrowsAnyAsync<Exception>(host.StartAsync);

        Assert.Contains("not both", refused.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Production's configuration: the test's dev key blanked out, an OIDC authority and an audience.</summary>
    private static Dictionary<string, string?> AuthoritySettings(string authority, string audience)
    {
        var settings = TestBuyers.Settings.ToDictionary(setting => setting.Key, _ => (string?)null);
        settings[$"{BuyerAuthentication.SectionName}:Authority"] = authority;
        settings[$"{BuyerAuthentication.SectionName}:ValidAudiences:oidc"] = audience;
        // The stub provider speaks plain HTTP on loopback.
        settings[$"{BuyerAuthentication.SectionName}:RequireHttpsMetadata"] = "false";
        return settings;
    }

    private static HttpRequestMessage BadRequest(string kind, string uri)
    {
        var now = DateTime.UtcNow;
        var valid = TestBuyers.Minter.Mint("alice", TimeSpan.FromMinutes(10));
        var request = new HttpRequestMessage(HttpMethod.Post, uri);
        var token = kind switch
        {
            "no header" or "token in the query string" or "token in a cookie" or "basic scheme" => null,
            "empty bearer" => "",
            "garbage" => "not.a.token",
            "expired" => Mint(now.AddMinutes(-10), now.AddMinutes(-2)),
            "not yet valid" => Mint(now.AddMinutes(2), now.AddMinutes(10)),
            "no expiry" => Mint(now, expires: null),
            "wrong audience" => Mint(now, now.AddMinutes(10), descriptor => descriptor.Audience = "another-service"),
            "wrong issuer" => Mint(now, now.AddMinutes(10), descriptor => descriptor.Issuer = "someone-else"),
            "another key" => new BuyerTokenMinter(
                new BuyerSigningKey("other", BuyerAuthentication.DevIssuer, new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(64))), BuyerAuthentication.DevAudience)
                .Mint("alice", TimeSpan.FromMinutes(10)),
            "tampered payload" => Rewrite(valid, payload: payload => payload["sub"] = "mallory"),
            "alg none" => Rewrite(valid, header: header => header["alg"] = "none", signature: ""),
            "header alg switched" => Rewrite(valid, header: header => header["alg"] = "HS384"),
            "HS512 with the right key" => Mint(now, now.AddMinutes(10), descriptor => descriptor.SigningCredentials =
                new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(TestBuyers.SigningKey)), SecurityAlgorithms.HmacSha512)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

        switch (kind)
        {
            case "token in the query string":
                request.RequestUri = new Uri($"{uri}?access_token={valid}", UriKind.Relative);
                break;
            case "token in a cookie":
                request.Headers.Add("Cookie", $"access_token={valid}; token={valid}");
                break;
            case "basic scheme":
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:secret")));
                break;
            case "empty bearer":
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");
                break;
        }

        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static string Mint(DateTime notBefore, DateTime? expires, Action<SecurityTokenDescriptor>? shape = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim(BuyerAuthentication.SubjectClaim, "alice")]),
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
        };
        shape?.Invoke(descriptor);
        return TestBuyers.Minter.Mint(descriptor);
    }

    /// <summary>A token with its header or payload changed after signing (the signature kept unless given).</summary>
    private static string Rewrite(string token, Action<JsonObject>? header = null, Action<JsonObject>? payload = null, string? signature = null)
    {
        var parts = token.Split('.');
        return string.Join('.', Edit(parts[0], header), Edit(parts[1], payload), signature ?? parts[2]);

        static string Edit(string part, Action<JsonObject>? edit)
        {
            if (edit is null)
            {
                return part;
            }

            var json = JsonNode.Parse(Base64Url.DecodeFromChars(part))!.AsObject();
            edit(json);
            return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
        }
    }

    private static string KeyFile(string? rotatedKey) => rotatedKey is null
        ? "{}"
        : new JsonObject
        {
            ["Authentication"] = new JsonObject
            {
                ["Schemes"] = new JsonObject
                {
                    ["Bearer"] = new JsonObject
                    {
                        ["SigningKeys"] = new JsonObject
                        {
                            ["rotated"] = new JsonObject { ["Issuer"] = BuyerAuthentication.DevIssuer, ["Value"] = rotatedKey, ["Id"] = "rotated" },
                        },
                    },
                },
            },
        }.ToJsonString();

    private static async Task<HttpResponseMessage> BuyWithAsync(HttpClient client, string saleId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sales/{saleId}/purchases") { Headers = { Authorization = new("Bearer", token) } };
        return await client.SendAsync(request);
    }

    private static async Task<HttpStatusCode> LookUpStatusAsync(HttpClient client, string saleId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/sales/{saleId}/buyers/me/order") { Headers = { Authorization = new("Bearer", token) } };
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string> WithoutTraceAsync(HttpResponseMessage response, string orderId)
    {
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        problem.Remove("traceId");
        return $"{(int)response.StatusCode} {problem.ToJsonString().Replace(orderId, "{order}", StringComparison.Ordinal)}";
    }

    private static async Task<SaleResponse> SaleAsync(HttpClient client, string saleId) =>
        (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{saleId}"))!;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(type, problem.RootElement.GetProperty("type").GetString());
    }
}
