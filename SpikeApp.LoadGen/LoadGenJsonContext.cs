using System.Text.Json;
using System.Text.Json.Serialization;
using SpikeApp.LoadGen.Reporting;

namespace SpikeApp.LoadGen;

/// <summary>The --json report without reflection; the contracts go through <see cref="Contracts.ContractsJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LoadReport))]
public sealed partial class LoadGenJsonContext : JsonSerializerContext;
