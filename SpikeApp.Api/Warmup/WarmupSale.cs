using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Breaker;
using SpikeApp.Api.Stock;
using SpikeApp.Store;
using StackExchange.Redis;

namespace SpikeApp.Api.Warmup;

/// <summary>
/// A scratch sale and stock components of its own (registry, breaker, refiller, purchases, telemetry): the same code as
/// the real ones, none of their state. A warm-up request is served by these in place of the replica's, so it reaches
/// no real sale, no sale directory and none of the replica's counters, whatever route it takes.
/// </summary>
internal sealed class WarmupSale : IAsyncDisposable
{
    /// <summary>A replica killed mid warm-up leaves at most this long behind in Redis.</summary>
    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(1);

    private readonly ScratchSale _scratch;
    private readonly ScratchMeterFactory _meters;
    private readonly RedisBreaker _breaker;
    private readonly SaleRegistry _registry;
    private readonly long _total;
    private readonly Dictionary<Type, object> _services;

    private WarmupSale(ScratchSale scratch, long total, ScratchMeterFactory meters, RedisBreaker breaker, SaleRegistry registry, Dictionary<Type, object> services)
    {
        _scratch = scratch;
        _total = total;
        _registry = registry;
        _meters = meters;
        _breaker = breaker;
        _services = services;
    }

    public string SaleId => _scratch.SaleId;

    public static async Task<WarmupSale> BeginAsync(IServiceProvider services, long total)
    {
        var spike = services.GetRequiredService<IOptions<SpikeOptions>>().Value;
        var saleId = "warmup-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var scratch = await ScratchSale.BeginAsync(services.GetRequiredService<IConnectionMultiplexer>(), services.GetRequiredService<RedisSaleStore>(),
            saleId, total, TimeToLive, spike.RedisTimeout);

        // Bound afresh rather than copied, so every setting the replica has, present or future, carries over.
        var options = new SpikeOptions();
        services.GetRequiredService<IConfiguration>().GetSection(SpikeOptions.SectionName).Bind(options);
        options.ReplicaId = spike.ReplicaId;
        options.DefaultSale.Id = saleId;
        options.DefaultSale.Total = (int)total;
        // Slices and refills as configured would let a tiny slice or a slow refill hold the warm-up past its timeout;
        // computed slices and immediate refills still run the refill path, and sell the scratch sale out every round.
        options.SliceSize = null;
        options.RefillInterval = TimeSpan.Zero;
        var spikeOptions = Options.Create(options);

        var meters = new ScratchMeterFactory();
        // Its own membership: the scratch sale's slices follow these options, and the replica's leaving never names it.
        var membership = ActivatorUtilities.CreateInstance<ReplicaMembership>(services, spikeOptions);
        var registry = ActivatorUtilities.CreateInstance<SaleRegistry>(services, membership);
        var telemetry = ActivatorUtilities.CreateInstance<StockTelemetry>(services, (IMeterFactory)meters, registry, spikeOptions);
        var breaker = ActivatorUtilities.CreateInstance<RedisBreaker>(services, telemetry);
        var refiller = ActivatorUtilities.CreateInstance<SliceRefiller>(services, registry, breaker, telemetry, spikeOptions);
        var purchases = ActivatorUtilities.CreateInstance<PurchaseService>(services, registry, refiller, breaker, telemetry, spikeOptions);
        return new WarmupSale(scratch, total, meters, breaker, registry, new Dictionary<Type, object>
        {
            [typeof(IOptions<SpikeOptions>)] = spikeOptions,
            [typeof(SaleRegistry)] = registry,
            [typeof(StockTelemetry)] = telemetry,
            [typeof(RedisBreaker)] = breaker,
            [typeof(SliceRefiller)] = refiller,
            [typeof(PurchaseService)] = purchases,
        });
    }

    /// <summary>Puts every unit back on sale in a new epoch, and has this sale's registry take it up as a sync would.</summary>
    public async Task RestockAsync()
    {
        await _scratch.ResetAsync(_total);
        await _registry.SyncAsync(SaleId);
    }

    /// <summary>The request's own services, with this sale's stock components in place of the replica's.</summary>
    public IServiceProvider ServicesFor(IServiceProvider requestServices) => new Overlay(_services, requestServices);

    public async ValueTask DisposeAsync()
    {
        _breaker.Dispose();
        _meters.Dispose();
        await _scratch.DeleteAsync();
    }

    private sealed class Overlay(Dictionary<Type, object> services, IServiceProvider inner) : IServiceProvider, IKeyedServiceProvider
    {
        public object? GetService(Type serviceType) => services.GetValueOrDefault(serviceType) ?? inner.GetService(serviceType);

        public object? GetKeyedService(Type serviceType, object? serviceKey) => ((IKeyedServiceProvider)inner).GetKeyedService(serviceType, serviceKey);

        public object GetRequiredKeyedService(Type serviceType, object? serviceKey) => ((IKeyedServiceProvider)inner).GetRequiredKeyedService(serviceType, serviceKey);
    }
}
