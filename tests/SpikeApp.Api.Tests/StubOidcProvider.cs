using System.Buffers.Text;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SpikeApp.Buyers;

namespace SpikeApp.Api.Tests;

/// <summary>
/// An OpenID provider as far as a resource server sees one: discovery and a JWKS (one RSA key) on a loopback port, and
/// RS256 tokens signed with that key. What a replica meets in production when <c>Authority</c> names a real provider.
/// </summary>
public sealed class StubOidcProvider : IAsyncDisposable
{
    private const string KeyId = "stub-1";

    private readonly WebApplication _app;
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;

    private StubOidcProvider(WebApplication app)
    {
        _app = app;
        _key = new RsaSecurityKey(_rsa) { KeyId = KeyId };
    }

    public string Authority { get; private set; } = "";

    public static async Task<StubOidcProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var provider = new StubOidcProvider(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = provider.Authority,
            ["jwks_uri"] = provider.Authority + "/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
        }));
        app.MapGet("/jwks", () =>
        {
            var parameters = provider._rsa.ExportParameters(includePrivateParameters: false);
            return Results.Json(new Dictionary<string, object>
            {
                ["keys"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = SecurityAlgorithms.RsaSha256, ["kid"] = KeyId,
                        ["n"] = Base64Url.EncodeToString(parameters.Modulus), ["e"] = Base64Url.EncodeToString(parameters.Exponent),
                    },
                },
            });
        });
        await app.StartAsync();
        provider.Authority = app.Urls.First().TrimEnd('/');
        return provider;
    }

    /// <summary>A token this provider issues for <paramref name="subject"/>, signed with its key (or with <paramref name="otherKey"/>).</summary>
    public string Mint(string subject, string audience, RSA? otherKey = null)
    {
        var now = DateTime.UtcNow;
        var key = otherKey is null ? _key : new RsaSecurityKey(otherKey) { KeyId = KeyId };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim(BuyerAuthentication.SubjectClaim, subject)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
