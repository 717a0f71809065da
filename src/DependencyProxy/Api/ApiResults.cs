using System.Text.Json;
using System.Text.Json.Serialization;
using DependencyProxy.Data;

namespace DependencyProxy.Api;

/// <summary>GitLab's JSON conventions: snake_case names, UTC times with Z, and its error shapes.</summary>
internal static class ApiResults
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new Common.UtcJsonDateTimeConverter() },
    };

    /// <summary>
    /// Exactly what GitLab sends. ASP.NET Core's default adds <c>; charset=utf-8</c>, and python-gitlab 3.12 compares the
    /// whole header: with anything else, every call that returns one object fails with GitlabParsingError.
    /// </summary>
    public const string ContentType = "application/json";

    public static IResult Ok(object body) => Send(body, StatusCodes.Status200OK);

    public static IResult Created(object body) => Send(body, StatusCodes.Status201Created);

    public static IResult Accepted() => Send(new { message = "202 Accepted" }, StatusCodes.Status202Accepted);

    /// <summary>Work queued: 202 with what was queued, and where to follow it.</summary>
    public static IResult Accepted(object body, string location) => new WithLocation(Send(body, StatusCodes.Status202Accepted), location);

    public static IResult NoContent() => TypedResults.NoContent();

    /// <summary><c>{"error": "name is missing"}</c>, as GitLab answers bad parameters.</summary>
    public static IResult BadRequest(string error) => Send(new { error }, StatusCodes.Status400BadRequest);

    /// <summary>A body past the limit, counted as it was read (chunked ones too).</summary>
    public static IResult TooLarge(long limit) =>
        Message(StatusCodes.Status413PayloadTooLarge, $"413 Request Entity Too Large - the request body is larger than {limit} bytes");

    public static IResult Unauthorized() => Message(StatusCodes.Status401Unauthorized, "401 Unauthorized");

    public static IResult Forbidden(string? why = null) => Message(StatusCodes.Status403Forbidden, why is null ? "403 Forbidden" : $"403 Forbidden - {why}");

    public static IResult NotFound(string what) => Message(StatusCodes.Status404NotFound, $"404 {what} Not Found");

    public static IResult Conflict(string message) => Message(StatusCodes.Status409Conflict, message);

    public static IResult Message(int status, string message) => Send(new { message }, status);

    /// <summary>A service's refusal, its kind decides the status: 400 <c>error</c>, 403, 404 naming what, 409 <c>message</c>.</summary>
    public static IResult Refused(Refusal refusal) => refusal.Kind switch
    {
        RefusalKind.BadRequest => BadRequest(refusal.Message!),
        RefusalKind.Forbidden => Forbidden(refusal.Message),
        RefusalKind.NotFound => NotFound(refusal.Message!),
        RefusalKind.TooMany => Message(StatusCodes.Status429TooManyRequests, refusal.Message!),
        _ => Conflict(refusal.Message!),
    };

    /// <summary>GitLab's answer to a token whose scopes do not cover the request.</summary>
    public static IResult InsufficientScope(string scope) => Send(new
    {
        error = "insufficient_scope",
        error_description = "The request requires higher privileges than provided by the access token.",
        scope,
    }, StatusCodes.Status403Forbidden);

    private static IResult Send(object body, int status) => TypedResults.Json(body, Json, ContentType, status);

    private sealed class WithLocation(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
