using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SpikeApp.Testing;

namespace SpikeApp.Gateway.Tests;

/// <summary>
/// The real gateway in this process, on Kestrel at two loopback ports — the public one and the admin one — in front of
/// the given destinations.
/// </summary>
public sealed class GatewayHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        // Tests decide health themselves: no probe races the requests they send.
        ["ReverseProxy:Clusters:api:HealthCheck:Active:Enabled"] = "false",
        ["Logging:LogLevel:Default"] = "Warning",
        // Tests count what each backend served: no warm-up request among them unless a test asks for one.
        ["Gateway:Warmup:Enabled"] = "false",
    };

    /// <param name="destinations">Destination id, address and weight (null: none configured).</param>
    public GatewayHost(IEnumerable<(string Id, string Address, int? Weight)> destinations, IReadOnlyDictionary<string, string?>? settings = null)
    {
        foreach (var (id, address, weight) in destinations)
        {
            _settings[$"ReverseProxy:Clusters:api:Destinations:{id}:Address"] = address;
            if (weight is int value)
            {
                _settings[$"ReverseProxy:Clusters:api:Destinations:{id}:Metadata:Weight"] = value.ToString(CultureInfo.InvariantCulture);
            }
        }

        _settings["Gateway:AdminPort"] = AdminPort.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, PublicPort);
            kestrel.Listen(IPAddress.Loopback, AdminPort);
        });
    }

    public int PublicPort { get; } = LoopbackPorts.FindFree();

    public int AdminPort { get; } = LoopbackPorts.FindFree();

    /// <summary>A loopback address nothing listens on: connecting to it is refused.</summary>
    public static string RefusingAddress()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }

    /// <summary>Starts the gateway and returns a client of its public port.</summary>
    public HttpClient Start()
    {
        StartServer();
        return ClientOf(PublicPort);
    }

    /// <summary>A client of the admin port, once <see cref="Start"/> ran.</summary>
    public HttpClient CreateAdminClient() => ClientOf(AdminPort);

    private static HttpClient ClientOf(int port) => new() { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
