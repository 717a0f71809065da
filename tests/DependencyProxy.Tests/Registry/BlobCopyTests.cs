using System.IO.Pipelines;
using System.Text;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;

namespace DependencyProxy.Tests.Registry;

/// <summary>A copy into a response says which side stopped it, instead of leaving callers to guess from an IOException.</summary>
public sealed class BlobCopyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"dp-copy-{Guid.NewGuid():N}");

    [Fact]
    public async Task AStoredFile_IsCopiedByOffset_AndAShortOneIsASourceFailure()
    {
        var content = Encoding.UTF8.GetBytes("0123456789");
        using var blob = await StoreAsync(content);
        var pipe = new Pipe();

        var part = await BlobCopy.StoredAsync(pipe.Writer, blob, 2, 5, CancellationToken.None);
        Assert.Equal((CopyEnd.Done, 5L), (part.End, part.Copied));
        Assert.Equal("23456", await ReadAsync(pipe.Reader, 5));

        var past = await BlobCopy.StoredAsync(pipe.Writer, blob, 8, 5, CancellationToken.None);
        Assert.Equal((CopyEnd.SourceFailed, 2L), (past.End, past.Copied));
        Assert.Contains("shorter", past.Failure!.Message);
    }

    [Fact]
    public async Task ASourceThatFailsPartWay_IsReportedWithTheBytesThatWentOut()
    {
        var pipe = new Pipe();
        var copied = 0L;
        var outcome = await BlobCopy.StreamAsync(pipe.Writer, new FailingAfter(3), 10, read => copied += read, CancellationToken.None);

        Assert.Equal(CopyEnd.SourceFailed, outcome.End);
        Assert.Equal(3, outcome.Copied);
        Assert.Equal(3, copied);
        Assert.IsType<IOException>(outcome.Failure);
    }

    [Fact]
    public async Task ASourceThatEndsEarly_EndsTheCopy_WithoutAFailure()
    {
        var outcome = await BlobCopy.StreamAsync(new Pipe().Writer, new MemoryStream([1, 2, 3]), long.MaxValue, null, CancellationToken.None);

        Assert.Equal((CopyEnd.SourceEnded, 3L, (Exception?)null), (outcome.End, outcome.Copied, outcome.Failure));
    }

    [Fact]
    public async Task AClientThatStoppedReading_IsClientGone_NotASourceFailure()
    {
        var pipe = new Pipe();
        await pipe.Reader.CompleteAsync();
        using var blob = await StoreAsync(new byte[1000]);

        var fromFile = await BlobCopy.StoredAsync(pipe.Writer, blob, 0, 1000, CancellationToken.None);
        var fromStream = await BlobCopy.StreamAsync(pipe.Writer, new MemoryStream(new byte[1000]), 1000, null, CancellationToken.None);

        Assert.Equal(CopyEnd.ClientGone, fromFile.End);
        Assert.Equal(CopyEnd.ClientGone, fromStream.End);
    }

    [Fact]
    public async Task ACancelledRequest_IsClientGone()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var outcome = await BlobCopy.StreamAsync(new Pipe().Writer, new MemoryStream(new byte[10]), 10, null, cancelled.Token);

        Assert.Equal(CopyEnd.ClientGone, outcome.End);
    }

    private async Task<IStoredBlob> StoreAsync(byte[] content)
    {
        var store = new FileSystemContentStore(_directory);
        var digest = Digest.Sha256Of(content);
        await store.PutAsync(digest, content, CancellationToken.None);
        return (await store.TryOpenAsync(digest, forReading: true, CancellationToken.None))!;
    }

    private static async Task<string> ReadAsync(PipeReader reader, int count)
    {
        var result = await reader.ReadAtLeastAsync(count);
        var text = Encoding.UTF8.GetString(result.Buffer.Slice(0, count));
        reader.AdvanceTo(result.Buffer.GetPosition(count));
        return text;
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Gives <c>count</c> bytes, then fails as a broken connection to a bucket or another node would.</summary>
    private sealed class FailingAfter(int count) : DependencyProxy.Common.ReadOnlyStream
    {
        private int _left = count;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0)
            {
                throw new IOException("connection reset");
            }

            var read = Math.Min(_left, buffer.Length);
            _left -= read;
            return ValueTask.FromResult(read);
        }
    }
}
