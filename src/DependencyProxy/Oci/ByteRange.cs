using Microsoft.Net.Http.Headers;

namespace DependencyProxy.Oci;

/// <summary>An inclusive byte range of a blob of known length.</summary>
internal readonly record struct ByteRange(long Start, long End)
{
    public long Length => End - Start + 1;

    /// <summary>
    /// Reads a <c>Range</c> header the way ASP.NET's static files do: absent, malformed or multi-range headers
    /// mean the whole blob (RFC 9110 lets a server ignore them); a single range outside the blob is unsatisfiable.
    /// </summary>
    public static RangeOutcome Evaluate(string? header, long length, out ByteRange range)
    {
        range = new ByteRange(0, length - 1);
        if (string.IsNullOrEmpty(header) || !RangeHeaderValue.TryParse(header, out var parsed) ||
            !string.Equals(parsed.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || parsed.Ranges.Count != 1)
        {
            return RangeOutcome.Whole;
        }

        var item = parsed.Ranges.First();
        long start, end;
        if (item.From is { } from)
        {
            start = from;
            end = item.To is { } to ? Math.Min(to, length - 1) : length - 1;
        }
        else if (item.To is { } suffix && suffix > 0)
        {
            start = Math.Max(0, length - suffix);
            end = length - 1;
        }
        else
        {
            return RangeOutcome.Unsatisfiable;
        }

        if (start >= length || start > end)
        {
            return RangeOutcome.Unsatisfiable;
        }

        range = new ByteRange(start, end);
        return RangeOutcome.Partial;
    }
}

internal enum RangeOutcome
{
    Whole,
    Partial,
    Unsatisfiable,
}
