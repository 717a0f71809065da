using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// A large request body sent chunked (no Content-Length, so only counting what is read can limit it), made up as it is
/// sent: a prefix, then one character repeated. Counts the bytes the server took.
/// </summary>
public sealed class ChunkedBody : HttpContent
{
    private readonly string _prefix;
    private readonly long _totalBytes;
    private readonly char _fill;
    private long _sent;

    public ChunkedBody(string contentType, string prefix, long totalBytes, char fill = 'x')
    {
        _prefix = prefix;
        _totalBytes = totalBytes;
        _fill = fill;
        Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
    }

    public long BytesSent => Interlocked.Read(ref _sent);

    public long TotalBytes => _totalBytes;

    public static ChunkedBody Form(string prefix, long totalBytes) => new("application/x-www-form-urlencoded", prefix, totalBytes);

    public static ChunkedBody Json(string prefix, long totalBytes) => new("application/json", prefix, totalBytes);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var head = Encoding.UTF8.GetBytes(_prefix);
        await stream.WriteAsync(head);
        await stream.FlushAsync();
        Interlocked.Add(ref _sent, head.Length);
        var chunk = Encoding.ASCII.GetBytes(new string(_fill, 16 * 1024));
        try
        {
            while (BytesSent < _totalBytes)
            {
                var size = (int)Math.Min(chunk.Length, _totalBytes - BytesSent);
                await stream.WriteAsync(chunk.AsMemory(0, size));
                await stream.FlushAsync();
                Interlocked.Add(ref _sent, size);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The server answered without reading the rest, and the transport stopped taking it.
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
