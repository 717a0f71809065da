using System.Text.Json;
using System.Text.Json.Serialization;

namespace DependencyProxy.Common;

/// <summary>
/// SQLite hands back times without a kind; every time here is UTC, and is written so (<c>2026-12-06T21:00:00.000Z</c>),
/// by the REST API and the CLI's <c>--json</c> alike.
/// </summary>
internal sealed class UtcJsonDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTime().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
}
