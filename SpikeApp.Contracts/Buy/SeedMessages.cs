namespace SpikeApp.Contracts.Buy;

/// <summary>The Go demo's answers (always 200, <c>code</c> 1 or -1), spoken alike by replicas, gateway and load generator.</summary>
public static class SeedMessages
{
    public const string Sold = "抢票成功";
    public const string SoldOut = "已售罄";
    public const string NoSale = "活动不存在";
    public const string Busy = "系统繁忙，请稍后再试";
    public const string NotOpen = "活动未开始";
    public const string Closed = "活动已结束";

    public const string SoldBody = $$"""{"code":1,"msg":"{{Sold}}"}""";
    public const string SoldOutBody = $$"""{"code":-1,"msg":"{{SoldOut}}"}""";
    public const string NoSaleBody = $$"""{"code":-1,"msg":"{{NoSale}}"}""";
    public const string BusyBody = $$"""{"code":-1,"msg":"{{Busy}}"}""";
    public const string NotOpenBody = $$"""{"code":-1,"msg":"{{NotOpen}}"}""";
    public const string ClosedBody = $$"""{"code":-1,"msg":"{{Closed}}"}""";

    public const string ContentType = "application/json; charset=utf-8";
}
