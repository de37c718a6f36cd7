using System.Text.Json;
using System.Text.Json.Serialization;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Reporting;

namespace SpikeApp.LoadGen;

/// <summary>Reads the API's and the order processor's answers, writes payments and the --json report, without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SaleSnapshot))]
[JsonSerializable(typeof(OrderSnapshot))]
[JsonSerializable(typeof(StoredOrdersSummary))]
[JsonSerializable(typeof(PaymentRequest))]
[JsonSerializable(typeof(LoadReport))]
public sealed partial class LoadGenJsonContext : JsonSerializerContext;
