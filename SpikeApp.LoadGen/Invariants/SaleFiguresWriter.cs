using System.Text.Json;
using System.Text.Json.Serialization;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>The figures the checks read; how the replicas share the sale is not the run's verdict, so the report leaves it out.</summary>
internal sealed class SaleFiguresWriter : JsonConverter<SaleResponse>
{
    public override SaleResponse Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("The report is only written.");

    public override void Write(Utf8JsonWriter writer, SaleResponse value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString(Name(nameof(SaleResponse.SaleId)), value.SaleId);
        writer.WriteNumber(Name(nameof(SaleResponse.Total)), value.Total);
        writer.WriteNumber(Name(nameof(SaleResponse.Sold)), value.Sold);
        writer.WriteNumber(Name(nameof(SaleResponse.Remaining)), value.Remaining);
        writer.WriteBoolean(Name(nameof(SaleResponse.SoldOut)), value.SoldOut);
        writer.WriteNumber(Name(nameof(SaleResponse.Epoch)), value.Epoch);
        writer.WriteEndObject();

        string Name(string name) => options.PropertyNamingPolicy?.ConvertName(name) ?? name;
    }
}
