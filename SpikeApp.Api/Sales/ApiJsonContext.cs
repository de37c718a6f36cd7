using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpikeApp.Api.Sales;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PurchaseRequest))]
[JsonSerializable(typeof(OrderResponse))]
[JsonSerializable(typeof(OrderDetails))]
[JsonSerializable(typeof(PaymentRequest))]
[JsonSerializable(typeof(SaleDefinition))]
[JsonSerializable(typeof(SaleResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
