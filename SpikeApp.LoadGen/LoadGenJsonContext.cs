using System.Text.Json;
using System.Text.Json.Serialization;
using SpikeApp.LoadGen.Reporting;

namespace SpikeApp.LoadGen;

/// <summary>
/// Writes the --json report without reflection. The services' answers and the payments are read and written through
/// <see cref="Contracts.ContractsJsonContext"/>.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LoadReport))]
public sealed partial class LoadGenJsonContext : JsonSerializerContext;
