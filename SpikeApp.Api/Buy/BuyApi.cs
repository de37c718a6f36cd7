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

    /// <summary>
    /// Shared caches (the gateway) may repeat Redis' "sold out", or a "not open" a second or more before the opening, to
    /// any buyer for a second; browsers must not keep it. A second bounds what a replica that has not yet heard of an
    /// operator's change can make the gateway repeat.
    /// </summary>
    public const string SharedForASecond = "max-age=0, s-maxage=1";

    public static async Task<IResult> BuyAsync(PurchaseService purchases, SaleRegistry registry, IOptions<SpikeOptions> options, HttpContext context)
    {
        var saleId = options.Value.DefaultSale.Id;
        var result = await purchases.PurchaseAsync(saleId, userId: null);
        if (result.Untraced)
        {
            TraceResponse.AnnounceDropped(context);
        }

        // Only Redis's word is shared: a slice merely dry (refill pending) must not turn buyers away anywhere else.
        // "Not open" only while a whole second remains: a shared copy never outlives the opening.
        if ((result.Status == PurchaseStatus.SoldOut && registry.Find(saleId) is { SoldOutInRedis: true })
            || result.Status == PurchaseStatus.Closed
            || (result.Status == PurchaseStatus.NotOpen && result.UntilOpening >= TimeSpan.FromSeconds(1)))
        {
            context.Response.Headers.CacheControl = SharedForASecond;
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
