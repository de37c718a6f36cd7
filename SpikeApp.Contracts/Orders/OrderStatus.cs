using System.Text.Json.Serialization;

namespace SpikeApp.Contracts.Orders;

[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    [JsonStringEnumMemberName(OrderStatuses.Pending)]
    Pending,

    [JsonStringEnumMemberName(OrderStatuses.Paid)]
    Paid,

    /// <summary>Not paid in time: its unit went back on sale.</summary>
    [JsonStringEnumMemberName(OrderStatuses.Expired)]
    Expired,

    /// <summary>Pending when its sale was reset: it ended with its round and holds no unit.</summary>
    [JsonStringEnumMemberName(OrderStatuses.Voided)]
    Voided,
}
