using System.Net;
using System.Net.Sockets;

namespace SpikeApp.Reliability.Tests;

internal static class Ports
{
    /// <summary>A port free on 127.0.0.1 right now; every process these tests start binds loopback only.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
