using System.Text.Json;
using System.Text.Json.Serialization;
using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Reporting;

namespace SpikeApp.LoadGen;

/// <summary>The --json report and the sale's opening fields without reflection; the contracts go through <see cref="Contracts.ContractsJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LoadReport))]
[JsonSerializable(typeof(SaleSchedule))]
public sealed partial class LoadGenJsonContext : JsonSerializerContext;
