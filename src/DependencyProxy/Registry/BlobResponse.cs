using DependencyProxy.Oci;

namespace DependencyProxy.Registry;

/// <summary>
/// What every blob answer shares, whether it comes from the store or from a running fill: status, headers and
/// conditional/Range handling (one place, so both answer alike). The bytes themselves are copied by <see cref="BlobCopy"/>.
/// </summary>
internal static class BlobResponse
{
    /// <summary>
    /// Sets status and headers for a blob of <paramref name="length"/> bytes (null while a fill does not know it yet)
    /// and returns the byte range to send, or null when no body follows (HEAD, 304, 416).
    /// </summary>
    public static ByteRange? Begin(HttpContext context, Digest digest, long? length)
    {
        var request = context.Request;
        var response = context.Response;
        BlobHeaders.Apply(response, digest);
        var etag = response.Headers.ETag.ToString();

        // Content-addressed: the ETag never changes, so a client holding it has the bytes.
        if (request.Headers.IfNoneMatch.Any(tag => tag == etag || tag == "*"))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            BlobHeaders.MarkCacheable(response);
            return null;
        }

        var whole = new ByteRange(0, (length ?? 0) - 1);
        var range = whole;
        // An If-Range naming another validator asks for the whole blob (RFC 9110 13.1.5).
        var rangeHeader = request.Headers.IfRange.Count == 0 || request.Headers.IfRange.ToString() == etag
            ? request.Headers.Range.ToString()
            : null;
        var outcome = length is { } known ? ByteRange.Evaluate(rangeHeader, known, out range) : RangeOutcome.Whole;
        if (outcome == RangeOutcome.Unsatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{length}";
            response.ContentLength = 0;
            return null;
        }

        response.StatusCode = outcome == RangeOutcome.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        BlobHeaders.MarkCacheable(response);
        if (outcome == RangeOutcome.Partial)
        {
            response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{length}";
        }

        response.ContentLength = length is null ? null : range.Length;
        return HttpMethods.IsHead(request.Method) ? null : outcome == RangeOutcome.Partial ? range : whole;
    }
}
