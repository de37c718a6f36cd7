using System.Globalization;
using System.Text;
using System.Text.Json;
using SpikeApp.Contracts.Buy;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.LoadGen.Outcomes;

/// <summary>Pure and allocation-free for the common answers (only an order id is materialized): it runs once per request.</summary>
public static class OutcomeClassifier
{
    private const string NoSuchSale = $"seed: no such sale ({SeedMessages.NoSale})";

    // The contract's strings as UTF-8 once, so matching an answer against them allocates nothing.
    private static readonly byte[] SoldOutType = Encoding.UTF8.GetBytes(ProblemTypes.SoldOut);
    private static readonly byte[] SaleNotOpenType = Encoding.UTF8.GetBytes(ProblemTypes.SaleNotOpen);
    private static readonly byte[] SaleClosedType = Encoding.UTF8.GetBytes(ProblemTypes.SaleClosed);
    private static readonly byte[] OrderExpiredType = Encoding.UTF8.GetBytes(ProblemTypes.OrderExpired);
    private static readonly byte[] OrderVoidedType = Encoding.UTF8.GetBytes(ProblemTypes.OrderVoided);
    private static readonly byte[] SeedSoldOut = Encoding.UTF8.GetBytes(SeedMessages.SoldOut);
    private static readonly byte[] SeedBusy = Encoding.UTF8.GetBytes(SeedMessages.Busy);
    private static readonly byte[] SeedNoSale = Encoding.UTF8.GetBytes(SeedMessages.NoSale);
    private static readonly byte[] SeedNotOpen = Encoding.UTF8.GetBytes(SeedMessages.NotOpen);
    private static readonly byte[] SeedClosed = Encoding.UTF8.GetBytes(SeedMessages.Closed);

    public static Classification<Outcome> Classify(LoadMode mode, int statusCode, ReadOnlySpan<byte> body) => mode switch
    {
        LoadMode.Seed => ClassifySeed(statusCode, body),
        _ => ClassifyApi(statusCode, body),
    };

    /// <summary>A payment: anything but 200 or 409 expired/voided is an error named by its status and problem type.</summary>
    public static Classification<PaymentOutcome> ClassifyPayment(int statusCode, ReadOnlySpan<byte> body) => statusCode switch
    {
        200 => new(PaymentOutcome.Paid),
        409 when HasProblemType(body, OrderExpiredType) => new(PaymentOutcome.Expired),
        409 when HasProblemType(body, OrderVoidedType) => new(PaymentOutcome.Voided),
        _ => new(PaymentOutcome.OtherError, Problem: Describe(statusCode, body)),
    };

    public static Classification<TOutcome> Unanswered<TOutcome>(OutcomeKind<TOutcome> kind, Exception exception) where TOutcome : struct, Enum =>
        kind.Unanswered(Describe(exception));

    private static string Describe(Exception exception) => exception switch
    {
        HttpRequestException http => $"{nameof(HttpRequestException)}: {http.HttpRequestError}",
        _ => exception.GetType().Name,
    };

    private static Classification<Outcome> ClassifyApi(int statusCode, ReadOnlySpan<byte> body) => statusCode switch
    {
        201 => Order(Outcome.Success, statusCode, body),
        200 => Order(Outcome.ExistingOrder, statusCode, body),
        409 when HasProblemType(body, SoldOutType) => new(Outcome.SoldOut),
        409 when HasProblemType(body, SaleNotOpenType) => new(Outcome.NotOpen),
        409 when HasProblemType(body, SaleClosedType) => new(Outcome.Closed),
        429 => new(Outcome.Overloaded),
        // Either 503 asks the buyer to retry: unavailable, or sale-restoring (Redis lost the sale; nothing was sold).
        503 => new(Outcome.Unavailable),
        _ => new(Outcome.OtherError, Problem: Describe(statusCode, body)),
    };

    private static Classification<Outcome> ClassifySeed(int statusCode, ReadOnlySpan<byte> body)
    {
        // The seed endpoint answers 200 with a code; anything else came from the layers in front of it.
        if (statusCode != 200)
        {
            return statusCode switch
            {
                429 => new(Outcome.Overloaded),
                503 => new(Outcome.Unavailable),
                _ => new(Outcome.OtherError, Problem: Status(statusCode)),
            };
        }

        var reader = new Utf8JsonReader(body);
        int? code = null;
        Classification<Outcome>? byMessage = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new(Outcome.OtherError, Problem: "seed: malformed body");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isCode = reader.ValueTextEquals("code"u8);
                var isMsg = !isCode && reader.ValueTextEquals("msg"u8);
                reader.Read();
                if (isCode && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                {
                    code = value;
                }
                else if (isMsg && reader.TokenType == JsonTokenType.String)
                {
                    byMessage = SeedMessage(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return new(Outcome.OtherError, Problem: "seed: malformed body");
            }
        }
        catch (JsonException)
        {
            return new(Outcome.OtherError, Problem: "seed: malformed body");
        }

        return code switch
        {
            1 => new(Outcome.Success),
            -1 when byMessage is { } known => known,
            null => new(Outcome.OtherError, Problem: "seed: malformed body"),
            _ => new(Outcome.OtherError, Problem: "seed: code " + code.Value.ToString(CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>The seed's failure messages; ValueTextEquals also matches them \u-escaped.</summary>
    private static Classification<Outcome> SeedMessage(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals(SeedSoldOut) ? new(Outcome.SoldOut)
        : reader.ValueTextEquals(SeedBusy) ? new(Outcome.Unavailable)
        : reader.ValueTextEquals(SeedNoSale) ? new(Outcome.OtherError, Problem: NoSuchSale)
        : reader.ValueTextEquals(SeedNotOpen) ? new(Outcome.NotOpen)
        : reader.ValueTextEquals(SeedClosed) ? new(Outcome.Closed)
        : new(Outcome.OtherError, Problem: "seed: unknown msg");

    private static Classification<Outcome> Order(Outcome outcome, int statusCode, ReadOnlySpan<byte> body) =>
        TryReadTopLevelString(body, "orderId"u8, out var orderId) && !string.IsNullOrEmpty(orderId)
            ? new(outcome, orderId)
            : new(Outcome.OtherError, Problem: Status(statusCode) + " without an orderId");

    private static string Describe(int statusCode, ReadOnlySpan<byte> body) =>
        TryReadTopLevelString(body, "type"u8, out var type) && type is not null
            ? Status(statusCode) + " " + type
            : Status(statusCode);

    private static string Status(int statusCode) => "HTTP " + statusCode.ToString(CultureInfo.InvariantCulture);

    private static bool HasProblemType(ReadOnlySpan<byte> body, ReadOnlySpan<byte> type)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            return MoveToTopLevelProperty(ref reader, "type"u8) && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(type);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadTopLevelString(ReadOnlySpan<byte> body, ReadOnlySpan<byte> property, out string? value)
    {
        value = null;
        var reader = new Utf8JsonReader(body);
        try
        {
            if (MoveToTopLevelProperty(ref reader, property) && reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString();
            }
        }
        catch (JsonException)
        {
            value = null;
        }

        return value is not null;
    }

    /// <summary>Leaves the reader on the value of <paramref name="property"/> of the top-level object, if there is one.</summary>
    private static bool MoveToTopLevelProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> property)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var found = reader.ValueTextEquals(property);
            if (!reader.Read())
            {
                return false;
            }

            if (found)
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }
}
