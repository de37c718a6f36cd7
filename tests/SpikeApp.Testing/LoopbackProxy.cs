using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SpikeApp.Testing;

/// <summary>
/// A TCP proxy on a free loopback port in front of a server, to cut one client off it as a network partition does.
/// <see cref="Blackhole"/> stops forwarding both ways while every socket stays open, so the client hears neither an
/// answer nor a reset, and new connections are accepted but carry nothing; <see cref="Restore"/> forwards again,
/// first what waited meanwhile, as TCP's retransmissions deliver it once a partition heals.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly int _targetPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly Lock _switching = new();
    private readonly Task _accepting;
    private TaskCompletionSource _forwarding = NewSwitch(forwarding: true);

    public LoopbackProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect instead of the server.</summary>
    public int Port { get; }

    public bool IsBlackholed => !Volatile.Read(ref _forwarding).Task.IsCompleted;

    /// <summary>Stops forwarding: bytes in flight wait in the proxy and the sockets' buffers, and nothing is closed.</summary>
    public void Blackhole()
    {
        lock (_switching)
        {
            if (!IsBlackholed)
            {
                Volatile.Write(ref _forwarding, NewSwitch(forwarding: false));
            }
        }
    }

    /// <summary>Forwards again, in order, everything that waited; connections the client gave up on meanwhile deliver their last bytes and close.</summary>
    public void Restore()
    {
        lock (_switching)
        {
            _forwarding.TrySetResult();
        }
    }

    /// <summary>Closes every connection, as a dead link's peer eventually does; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets.Keys)
        {
            socket.Dispose();
        }

        await _accepting;
    }

    private static TaskCompletionSource NewSwitch(bool forwarding)
    {
        var state = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (forwarding)
        {
            state.SetResult();
        }

        return state;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            // Stopped by DisposeAsync: cancelled mid-accept, or stopped before the next accept began ("not listening").
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.TryAdd(client, 0);
        _sockets.TryAdd(server, 0);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
            await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The server refused or the proxy stops: the client sees its connection closed.
        }
        finally
        {
            _sockets.TryRemove(client, out _);
            _sockets.TryRemove(server, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    /// <summary>Copies one direction; while blackholed it neither reads nor writes, so the sender's kernel keeps what it sent.</summary>
    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                await Volatile.Read(ref _forwarding).Task.WaitAsync(_stopping.Token);
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                // A read that was already waiting when the partition began holds its bytes until it heals.
                await Volatile.Read(ref _forwarding).Task.WaitAsync(_stopping.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                for (var sent = 0; sent < read;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stopping.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side reset or the proxy stops: end the other direction too, as a broken connection would.
            from.Dispose();
            to.Dispose();
        }
    }
}
