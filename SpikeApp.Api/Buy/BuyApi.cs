using System.Text;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Admission;
using SpikeApp.Api.Stock;
using SpikeApp.Api.Tracing;

namespace SpikeApp.Api.Buy;

/// <summary>
/// The Go demo's endpoints, so its load test (<c>ab -n 20000 -c 100 .../buy/skill</c>) runs unchanged: always 200,
/// <c>{"code":1,...}</c> on success and <c>{"code":-1,...}</c> otherwise, a fresh anonymous buyer per request,
/// on the default sale.
/// </summary>
public static class BuyApi
{
    public static RouteGroupBuilder MapBuyApi(this IEndpointRouteBuilder app)
    {
        var buy = app.MapGroup("/buy").WithTags("Buy").RequirePurchaseAdmission();

        buy.MapGet("/skill", BuyAsync);
        buy.MapGet("/ticket", BuyAsync);

        return buy;
    }

    public static async Task<IResult> BuyAsync(PurchaseService purchases, IOptions<SpikeOptions> options, HttpContext context)
    {
        var result = await purchases.PurchaseAsync(options.Value.DefaultSale.Id, userId: null);
        if (result.Untraced)
        {
            TraceResponse.AnnounceDropped(context);
        }

        return result.Status switch
        {
            PurchaseStatus.Created => BuyReply.Success,
            PurchaseStatus.SoldOut => BuyReply.SoldOut,
            PurchaseStatus.NoSale => BuyReply.NoSale,
            _ => BuyReply.Busy,
        };
    }

    /// <summary>The four possible answers, serialized once: the seed route is the load test's hot path.</summary>
    private sealed class BuyReply(string json) : IResult
    {
        public static readonly BuyReply Success = new("""{"code":1,"msg":"抢票成功"}""");
        public static readonly BuyReply SoldOut = new("""{"code":-1,"msg":"已售罄"}""");
        public static readonly BuyReply NoSale = new("""{"code":-1,"msg":"活动不存在"}""");
        public static readonly BuyReply Busy = new("""{"code":-1,"msg":"系统繁忙，请稍后再试"}""");

        private readonly byte[] _body = Encoding.UTF8.GetBytes(json);

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.ContentLength = _body.Length;
            return httpContext.Response.Body.WriteAsync(_body).AsTask();
        }
    }
}
