using System.Text.Json;

namespace DependencyProxy.Oci;

/// <summary>An OCI distribution error: HTTP status, error code and a message a person can act on.</summary>
internal sealed record OciError(int Status, string Code, string Message, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static OciError NameInvalid(string message) => new(400, "NAME_INVALID", message);
    public static OciError NameUnknown(string message) => new(404, "NAME_UNKNOWN", message);
    public static OciError DigestInvalid(string message) => new(400, "DIGEST_INVALID", message);
    public static OciError TagInvalid(string message) => new(400, "TAG_INVALID", message);
    public static OciError ManifestUnknown(string message) => new(404, "MANIFEST_UNKNOWN", message);
    public static OciError BlobUnknown(string message) => new(404, "BLOB_UNKNOWN", message);
    public static OciError Unsupported(string message) => new(405, "UNSUPPORTED", message);
    public static OciError NotFound(string message) => new(404, "NOT_FOUND", message);

    /// <summary>Writes the error as OCI error JSON; HEAD responses carry the status and headers only.</summary>
    public IResult ToResult() => new OciErrorResult(this);

    /// <summary>The media type of every error body.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    private sealed class OciErrorResult(OciError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = error.Status;
            // An answer meant for a success (a blob's year-long Cache-Control) must not make an error cacheable.
            response.Headers.CacheControl = default;
            foreach (var (name, value) in error.Headers ?? new Dictionary<string, string>())
            {
                response.Headers[name] = value;
            }

            // A HEAD answer has the GET's Content-Type and Content-Length without the body, as Distribution's do:
            // clients that read the length (or wait for that many bytes) see the same answer either way.
            var body = JsonSerializer.SerializeToUtf8Bytes(new OciErrorBody([new OciErrorEntry(error.Code, error.Message)]),
                OciJsonContext.Default.OciErrorBody);
            response.ContentType = ContentType;
            response.ContentLength = body.Length;
            return HttpMethods.IsHead(httpContext.Request.Method)
                ? Task.CompletedTask
                : response.Body.WriteAsync(body).AsTask();
        }
    }
}

internal sealed record OciErrorBody(IReadOnlyList<OciErrorEntry> Errors);

internal sealed record OciErrorEntry(string Code, string Message);
