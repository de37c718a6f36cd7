using System.Text.Json;
using System.Text.Json.Serialization;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Reporting;

namespace SpikeApp.LoadGen;

/// <summary>Reads the API's answers and writes the --json report without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SaleSnapshot))]
[JsonSerializable(typeof(OrderSnapshot))]
[JsonSerializable(typeof(LoadReport))]
public sealed partial class LoadGenJsonContext : JsonSerializerContext;
