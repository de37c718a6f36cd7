using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using SpikeApp.Contracts.Buy;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Tests;

public class OutcomeClassifierTests
{
    private const string Order = """{"orderId":"1-17","saleId":"default","userId":"u1"}""";
    private const string SoldOutProblem = """{"type":"urn:spikeapp:problem:sold-out","title":"Sold out","status":409}""";
    private const string NotOpenProblem = """{"type":"urn:spikeapp:problem:sale-not-open","status":409,"opensAt":"2026-12-05T09:00:00Z"}""";

    [Theory]
    [InlineData(201, Order, Outcome.Success, "1-17", null)]
    [InlineData(200, Order, Outcome.ExistingOrder, "1-17", null)]
    [InlineData(409, SoldOutProblem, Outcome.SoldOut, null, null)]
    [InlineData(429, """{"type":"urn:spikeapp:problem:overloaded"}""", Outcome.Overloaded, null, null)]
    [InlineData(429, "", Outcome.Overloaded, null, null)]
    [InlineData(503, """{"type":"urn:spikeapp:problem:unavailable"}""", Outcome.Unavailable, null, null)]
    [InlineData(503, """{"type":"urn:spikeapp:problem:sale-restoring","title":"Sale restoring","status":503}""", Outcome.Unavailable, null, null)]
    [InlineData(500, """{"type":"urn:spikeapp:problem:internal"}""", Outcome.OtherError, null, "HTTP 500 urn:spikeapp:problem:internal")]
    [InlineData(500, "", Outcome.OtherError, null, "HTTP 500")]
    [InlineData(404, """{"type":"urn:spikeapp:problem:no-sale","status":404}""", Outcome.OtherError, null, "HTTP 404 urn:spikeapp:problem:no-sale")]
    [InlineData(400, """{"type":"urn:spikeapp:problem:invalid-input"}""", Outcome.OtherError, null, "HTTP 400 urn:spikeapp:problem:invalid-input")]
    [InlineData(409, NotOpenProblem, Outcome.NotOpen, null, null)]
    [InlineData(409, """{"type":"urn:spikeapp:problem:sale-closed","status":409,"closesAt":"2026-12-05T10:00:00Z"}""", Outcome.Closed, null, null)]
    [InlineData(409, """{"type":"urn:spikeapp:problem:something-else"}""", Outcome.OtherError, null, "HTTP 409 urn:spikeapp:problem:something-else")]
    [InlineData(201, """{"saleId":"default"}""", Outcome.OtherError, null, "HTTP 201 without an orderId")]
    [InlineData(201, """{"orderId":""}""", Outcome.OtherError, null, "HTTP 201 without an orderId")]
    [InlineData(200, "not json", Outcome.OtherError, null, "HTTP 200 without an orderId")]
    [InlineData(302, "", Outcome.OtherError, null, "HTTP 302")]
    public void ApiModeAnswers(int status, string body, Outcome outcome, string? orderId, string? problem) =>
        Assert.Equal(new Classification<Outcome>(outcome, orderId, problem), Classify(LoadMode.Api, status, body));

    [Theory]
    [InlineData("""{"code":1,"msg":"抢票成功"}""", Outcome.Success, null)]
    [InlineData("""{"msg":"抢票成功","code":1}""", Outcome.Success, null)]
    [InlineData("""{"code":-1,"msg":"已售罄"}""", Outcome.SoldOut, null)]
    [InlineData("""{"code":-1,"msg":"\u5df2\u552e\u7f44"}""", Outcome.SoldOut, null)]
    [InlineData("""{"code":-1,"msg":"系统繁忙，请稍后再试"}""", Outcome.Unavailable, null)]
    [InlineData("""{"code":-1,"msg":"活动不存在"}""", Outcome.OtherError, "seed: no such sale (活动不存在)")]
    [InlineData(SeedMessages.NotOpenBody, Outcome.NotOpen, null)]
    [InlineData(SeedMessages.ClosedBody, Outcome.Closed, null)]
    [InlineData("""{"code":-1,"msg":"\u6d3b\u52a8\u672a\u5f00\u59cb"}""", Outcome.NotOpen, null)]
    [InlineData("""{"code":-1,"msg":"别的"}""", Outcome.OtherError, "seed: unknown msg")]
    [InlineData("""{"code":-1}""", Outcome.OtherError, "seed: code -1")]
    [InlineData("""{"code":7,"msg":"抢票成功"}""", Outcome.OtherError, "seed: code 7")]
    [InlineData("""{"code":"1","msg":"抢票成功"}""", Outcome.OtherError, "seed: malformed body")]
    [InlineData("""{"code":1,"msg":"抢票""", Outcome.OtherError, "seed: malformed body")]
    [InlineData("<html>busy</html>", Outcome.OtherError, "seed: malformed body")]
    [InlineData("[1]", Outcome.OtherError, "seed: malformed body")]
    [InlineData("", Outcome.OtherError, "seed: malformed body")]
    public void SeedModeBodies(string body, Outcome outcome, string? problem) =>
        Assert.Equal(new Classification<Outcome>(outcome, null, problem), Classify(LoadMode.Seed, 200, body));

    [Theory]
    [InlineData(429, Outcome.Overloaded, null)]
    [InlineData(503, Outcome.Unavailable, null)]
    [InlineData(500, Outcome.OtherError, "HTTP 500")]
    [InlineData(404, Outcome.OtherError, "HTTP 404")]
    public void SeedModeStatusesOtherThan200(int status, Outcome outcome, string? problem) =>
        Assert.Equal(new Classification<Outcome>(outcome, null, problem), Classify(LoadMode.Seed, status, """{"code":1,"msg":"抢票成功"}"""));

    [Fact]
    public void AFailedConnectionIsUnansweredAndNamesTheError() =>
        Assert.Equal(
            new Classification<Outcome>(Outcome.Unanswered, null, "HttpRequestException: ConnectionError"),
            OutcomeClassifier.Unanswered(OutcomeKinds.Purchase, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException())));

    [Theory]
    [InlineData(200, """{"orderId":"o1","status":"paid"}""", PaymentOutcome.Paid, null)]
    [InlineData(409, """{"type":"urn:spikeapp:problem:order-expired","status":409}""", PaymentOutcome.Expired, null)]
    [InlineData(409, """{"type":"urn:spikeapp:problem:order-voided","status":409}""", PaymentOutcome.Voided, null)]
    [InlineData(409, SoldOutProblem, PaymentOutcome.OtherError, "HTTP 409 urn:spikeapp:problem:sold-out")]
    [InlineData(403, """{"type":"urn:spikeapp:problem:not-your-order"}""", PaymentOutcome.OtherError, "HTTP 403 urn:spikeapp:problem:not-your-order")]
    [InlineData(404, """{"type":"urn:spikeapp:problem:no-order"}""", PaymentOutcome.OtherError, "HTTP 404 urn:spikeapp:problem:no-order")]
    [InlineData(503, "", PaymentOutcome.OtherError, "HTTP 503")]
    [InlineData(503, """{"type":"urn:spikeapp:problem:sale-restoring"}""", PaymentOutcome.OtherError, "HTTP 503 urn:spikeapp:problem:sale-restoring")]
    public void PaymentAnswers(int status, string body, PaymentOutcome outcome, string? problem) =>
        Assert.Equal(new Classification<PaymentOutcome>(outcome, Problem: problem), OutcomeClassifier.ClassifyPayment(status, Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void AFailedPaymentConnectionIsAnErrorNamingIt() =>
        Assert.Equal(
            new Classification<PaymentOutcome>(PaymentOutcome.OtherError, Problem: "HttpRequestException: ConnectionError"),
            OutcomeClassifier.Unanswered(OutcomeKinds.Payment, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException())));

    [Fact]
    public void ClassifyingAnAnswerThatCarriesNoOrderIdAllocatesNothing()
    {
        var soldOut = Encoding.UTF8.GetBytes(SoldOutProblem);
        var restoring = Encoding.UTF8.GetBytes("""{"type":"urn:spikeapp:problem:sale-restoring","status":503}""");
        var expired = Encoding.UTF8.GetBytes("""{"type":"urn:spikeapp:problem:order-expired","status":409}""");
        var voided = Encoding.UTF8.GetBytes("""{"type":"urn:spikeapp:problem:order-voided","status":409}""");
        var seedSoldOut = Encoding.UTF8.GetBytes("""{"code":-1,"msg":"已售罄"}""");
        var seedBusy = Encoding.UTF8.GetBytes("""{"code":-1,"msg":"系统繁忙，请稍后再试"}""");
        var notOpen = Encoding.UTF8.GetBytes(NotOpenProblem);
        var seedNotOpen = Encoding.UTF8.GetBytes(SeedMessages.NotOpenBody);
        var seedClosed = Encoding.UTF8.GetBytes(SeedMessages.ClosedBody);
        ClassifyAll();

        var before = GC.GetAllocatedBytesForCurrentThread();
        ClassifyAll();

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void ClassifyAll()
        {
            OutcomeClassifier.Classify(LoadMode.Api, 409, soldOut);
            OutcomeClassifier.Classify(LoadMode.Api, 503, restoring);
            OutcomeClassifier.ClassifyPayment(409, expired);
            OutcomeClassifier.ClassifyPayment(409, voided);
            OutcomeClassifier.Classify(LoadMode.Seed, 200, seedSoldOut);
            OutcomeClassifier.Classify(LoadMode.Seed, 200, seedBusy);
            OutcomeClassifier.Classify(LoadMode.Api, 409, notOpen);
            OutcomeClassifier.Classify(LoadMode.Seed, 200, seedNotOpen);
            OutcomeClassifier.Classify(LoadMode.Seed, 200, seedClosed);
        }
    }

    private static Classification<Outcome> Classify(LoadMode mode, int status, string body) =>
        OutcomeClassifier.Classify(mode, status, Encoding.UTF8.GetBytes(body));
}
