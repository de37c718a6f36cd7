using System.Text.Json;
using System.Text.Json.Serialization;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.LoadGen.Load;

/// <summary>The bodies the load sends, nulls left out: the token names the buyer, so a payment carries no <c>userId</c>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PaymentRequest))]
internal sealed partial class RequestBodiesJsonContext : JsonSerializerContext;
