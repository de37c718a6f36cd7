using System.Text;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Admission;
using SpikeApp.Api.Stock;
using SpikeApp.Api.Tracing;
using SpikeApp.Contracts.Buy;

namespace SpikeApp.Api.Buy;

/// <summary>The Go demo's endpoints, so its load test (<c>ab ... /buy/skill</c>) runs unchanged.</summary>
public static class BuyApi
{
    /// <summary>Maps the seed's anonymous purchase routes under <c>/buy</c> unless <c>Spike:SeedApi:Enabled</c> is false.</summary>
    public static RouteGroupBuilder MapBuyApi(this IEndpointRouteBuilder app)
    {
        var buy = app.MapGroup("/buy").WithTags("Buy").RequirePurchaseAdmission();
        if (!app.ServiceProvider.GetRequiredService<IOptions<SpikeOptions>>().Value.SeedApi.Enabled)
        {
            return buy;
        }

        buy.MapGet("/skill", BuyAsync);
        buy.MapGet("/ticket", BuyAsync);

        return buy;
    }

    /// <summary>Shared caches (the gateway) may repeat Redis' "sold out" to any buyer for a second; browsers must not keep it.</summary>
    public const string SoldOutCacheControl = "max-age=0, s-maxage=1";

    /// <summary>"Not open" may be shared for the whole seconds left to the opening, rounded down: never past it.</summary>
    private static readonly string[] NotOpenCacheControls = [.. Enumerable.Range(0, 61).Select(seconds => $"max-age=0, s-maxage={seconds}")];

    public static async Task<IResult> BuyAsync(PurchaseService purchases, SaleRegistry registry, IOptions<SpikeOptions> options, HttpContext context)
    {
        var saleId = options.Value.DefaultSale.Id;
        var result = await purchases.PurchaseAsync(saleId, userId: null);
        if (result.Untraced)
        {
            TraceResponse.AnnounceDropped(context);
        }

        // Only Redis's word is shared: a slice merely dry (refill pending) must not turn buyers away anywhere else.
        if ((result.Status == PurchaseStatus.SoldOut && registry.Find(saleId) is { SoldOutInRedis: true }) || result.Status == PurchaseStatus.Closed)
        {
            context.Response.Headers.CacheControl = SoldOutCacheControl;
        }
        else if (result.Status == PurchaseStatus.NotOpen && (long)result.UntilOpening.TotalSeconds is >= 1 and var seconds)
        {
            context.Response.Headers.CacheControl = NotOpenCacheControls[Math.Min(seconds, NotOpenCacheControls.Length - 1)];
        }

        return result.Status switch
        {
            PurchaseStatus.Created => BuyReply.Success,
            PurchaseStatus.SoldOut => BuyReply.SoldOut,
            PurchaseStatus.NotOpen => BuyReply.NotOpen,
            PurchaseStatus.Closed => BuyReply.Closed,
            PurchaseStatus.NoSale => BuyReply.NoSale,
            _ => BuyReply.Busy,
        };
    }

    /// <summary>The possible answers, serialized once: the seed route is the load test's hot path.</summary>
    private sealed class BuyReply(string json) : IResult
    {
        public static readonly BuyReply Success = new(SeedMessages.SoldBody);
        public static readonly BuyReply SoldOut = new(SeedMessages.SoldOutBody);
        public static readonly BuyReply NoSale = new(SeedMessages.NoSaleBody);
        public static readonly BuyReply Busy = new(SeedMessages.BusyBody);
        public static readonly BuyReply NotOpen = new(SeedMessages.NotOpenBody);
        public static readonly BuyReply Closed = new(SeedMessages.ClosedBody);

        private readonly byte[] _body = Encoding.UTF8.GetBytes(json);

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = SeedMessages.ContentType;
            httpContext.Response.ContentLength = _body.Length;
            return httpContext.Response.Body.WriteAsync(_body).AsTask();
        }
    }
}
