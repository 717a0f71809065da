using System.Text.Json;
using System.Text.Json.Serialization;

namespace DependencyProxy.Api;

/// <summary>GitLab's JSON conventions: snake_case names, UTC times with Z, and its error shapes.</summary>
public static class ApiResults
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new UtcDateTimeConverter() },
    };

    public static IResult Ok(object body) => TypedResults.Json(body, Json);

    public static IResult Created(object body) => TypedResults.Json(body, Json, statusCode: StatusCodes.Status201Created);

    public static IResult Accepted() => TypedResults.Json(new { message = "202 Accepted" }, Json, statusCode: StatusCodes.Status202Accepted);

    public static IResult NoContent() => TypedResults.NoContent();

    /// <summary><c>{"error": "name is missing"}</c>, as GitLab answers bad parameters.</summary>
    public static IResult BadRequest(string error) => TypedResults.Json(new { error }, Json, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>A body past the limit, counted as it was read (chunked ones too).</summary>
    public static IResult TooLarge(long limit) =>
        Message(StatusCodes.Status413PayloadTooLarge, $"413 Request Entity Too Large - the request body is larger than {limit} bytes");

    public static IResult Unauthorized() => Message(StatusCodes.Status401Unauthorized, "401 Unauthorized");

    public static IResult Forbidden(string? why = null) => Message(StatusCodes.Status403Forbidden, why is null ? "403 Forbidden" : $"403 Forbidden - {why}");

    public static IResult NotFound(string what) => Message(StatusCodes.Status404NotFound, $"404 {what} Not Found");

    public static IResult Conflict(string message) => Message(StatusCodes.Status409Conflict, message);

    public static IResult Message(int status, string message) => TypedResults.Json(new { message }, Json, statusCode: status);

    /// <summary>GitLab's answer to a token whose scopes do not cover the request.</summary>
    public static IResult InsufficientScope(string scope) => TypedResults.Json(new
    {
        error = "insufficient_scope",
        error_description = "The request requires higher privileges than provided by the access token.",
        scope,
    }, Json, statusCode: StatusCodes.Status403Forbidden);

    /// <summary>SQLite hands back times without a kind; every time here is UTC, and is written so.</summary>
    private sealed class UtcDateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTime().ToUniversalTime();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
    }
}
