using System.Text.Json;
using System.Text.Json.Serialization;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.Contracts;

/// <summary>Source-generated JSON for every contract, in the web's camelCase; services put it first in their resolver chain.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PurchaseRequest))]
[JsonSerializable(typeof(PurchaseResponse))]
[JsonSerializable(typeof(PaymentRequest))]
[JsonSerializable(typeof(SaleDefinition))]
[JsonSerializable(typeof(SaleResponse))]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(OrdersSummary))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
