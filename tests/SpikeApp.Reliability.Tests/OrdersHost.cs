using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SpikeApp.Orders;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// The real order processor in this process (any of its public types names its entry point), so a test can listen to
/// its telemetry; the fault tests run it as a process instead (<see cref="ApiProcess"/>).
/// </summary>
public sealed class OrdersHost(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<OrdersTelemetry>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
