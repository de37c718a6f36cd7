namespace SpikeApp.Contracts.Orders;

/// <summary>The one spelling of each <see cref="OrderStatus"/>: on the wire, in Redis and in PostgreSQL.</summary>
public static class OrderStatuses
{
    public const string Pending = "pending";
    public const string Paid = "paid";
    public const string Expired = "expired";
    public const string Voided = "voided";

    public static string ToName(this OrderStatus status) => status switch
    {
        OrderStatus.Pending => Pending,
        OrderStatus.Paid => Paid,
        OrderStatus.Expired => Expired,
        OrderStatus.Voided => Voided,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not an order status."),
    };

    public static OrderStatus Parse(string name) => name switch
    {
        Pending => OrderStatus.Pending,
        Paid => OrderStatus.Paid,
        Expired => OrderStatus.Expired,
        Voided => OrderStatus.Voided,
        _ => throw new FormatException($"'{name}' is not an order status."),
    };

    /// <summary>Pending or paid: the order holds a unit.</summary>
    public static bool IsLive(this OrderStatus status) => status is OrderStatus.Pending or OrderStatus.Paid;
}
