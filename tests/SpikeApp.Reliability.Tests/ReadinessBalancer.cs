using System.Net;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// What a load balancer does with readiness, as Kubernetes' endpoints do: buyers go only to the replicas whose
/// <c>/health</c> answered 200 at the last probe, one probe of every replica each interval.
/// </summary>
public sealed class ReadinessBalancer : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    private readonly SpikeCluster _cluster;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _probing;
    private volatile ApiProcess[] _ready;

    public ReadinessBalancer(SpikeCluster cluster, TimeSpan probeInterval)
    {
        _cluster = cluster;
        _ready = [.. cluster.Replicas];
        _probing = ProbeAsync(probeInterval);
    }

    public IReadOnlyList<ApiProcess> Ready => _ready;

    /// <summary>The ready replica for the <paramref name="index"/>-th request, round robin.</summary>
    public ApiProcess Pick(int index)
    {
        var ready = _ready;
        return ready[index % ready.Length];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _probing;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task ProbeAsync(TimeSpan interval)
    {
        while (true)
        {
            await Task.Delay(interval, _stop.Token);
            var replicas = _cluster.Replicas.ToArray();
            var ready = await Task.WhenAll(replicas.Select(IsReadyAsync));
            var next = replicas.Where((_, index) => ready[index]).ToArray();
            // With none ready a balancer has nowhere to send; the test's own assertions say why.
            if (next.Length > 0)
            {
                _ready = next;
            }
        }
    }

    private async Task<bool> IsReadyAsync(ApiProcess replica)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(ProbeTimeout);
            using var response = await replica.Client.GetAsync("/health", timeout.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !_stop.IsCancellationRequested)
        {
            return false;
        }
    }
}
