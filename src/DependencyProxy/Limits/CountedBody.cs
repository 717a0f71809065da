namespace DependencyProxy.Limits;

/// <summary>
/// A request body that gives at most <c>limit</c> bytes, counted as they are read, and then throws
/// <see cref="BodyTooLargeException"/>. A chunked body carries no Content-Length to check up front, and readers such as
/// the form reader would otherwise take it whole. Works the same on Kestrel and in process (TestServer), which enforces
/// none of Kestrel's limits.
/// </summary>
internal sealed class CountedBody(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, Room(count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer[..Room(buffer.Length)], cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Never asks for more than one byte past the limit: enough to know it was passed.</summary>
    private int Room(int wanted) => wanted == 0 ? 0 : (int)Math.Max(1, Math.Min(wanted, limit - _read + 1));

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new BodyTooLargeException(limit) : read;
    }
}

/// <summary>A request body went past its limit while it was read.</summary>
internal sealed class BodyTooLargeException(long limit) : IOException($"the request body is larger than {limit} bytes")
{
    public long Limit { get; } = limit;
}
