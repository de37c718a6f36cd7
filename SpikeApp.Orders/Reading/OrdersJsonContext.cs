using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpikeApp.Orders.Reading;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OrdersSummary))]
[JsonSerializable(typeof(OrderDetails))]
internal sealed partial class OrdersJsonContext : JsonSerializerContext;
