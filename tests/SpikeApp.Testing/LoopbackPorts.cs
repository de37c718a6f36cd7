using System.Net;
using System.Net.Sockets;

namespace SpikeApp.Testing;

/// <summary>Ports for the servers tests start; every one of them binds 127.0.0.1 only.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free on 127.0.0.1 right now, chosen by the OS.</summary>
    public static int FindFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
