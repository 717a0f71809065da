using System.Net;
using System.Net.Sockets;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A TCP relay on loopback that slows the bytes coming back from its target, so a test can catch a
/// download in the middle (for example to kill the proxy mid-fill). Fault injection only.
/// </summary>
public sealed class ThrottledRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly int _bytesPerSecond;
    private readonly System.Text.StringBuilder _sent = new();

    public ThrottledRelay(int targetPort, int bytesPerSecond)
    {
        _targetPort = targetPort;
        _bytesPerSecond = bytesPerSecond;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>
    /// What clients sent through the relay so far (request lines, headers and bodies, as Latin-1 text; the first MiB), so a
    /// test can see which credentials reached the target. The relay never reads TLS: only plain HTTP targets show.
    /// </summary>
    public string SentText
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToString();
            }
        }
    }

    /// <summary>When set, nothing more is forwarded on any connection, old or new: the upstream "hangs".</summary>
    public bool Stalled { get; set; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var target = new TcpClient())
        {
            try
            {
                await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                var up = CopyAsync(client.GetStream(), target.GetStream(), int.MaxValue, record: true);
                var down = CopyAsync(target.GetStream(), client.GetStream(), _bytesPerSecond, record: false);
                await Task.WhenAny(up, down);
            }
            catch (Exception)
            {
                // A relay for tests: any broken side ends the connection.
            }
        }
    }

    private async Task CopyAsync(Stream source, Stream destination, int bytesPerSecond, bool record)
    {
        var buffer = new byte[Math.Clamp(bytesPerSecond / 20, 1024, 256 * 1024)];
        int read;
        while ((read = await source.ReadAsync(buffer, _stop.Token)) > 0)
        {
            while (Stalled)
            {
                await Task.Delay(50, _stop.Token);
            }

            if (record)
            {
                Record(buffer.AsSpan(0, read));
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            if (bytesPerSecond < int.MaxValue / 4)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)read / bytesPerSecond), _stop.Token);
            }
        }
    }

    private void Record(ReadOnlySpan<byte> bytes)
    {
        lock (_sent)
        {
            var room = Math.Min(bytes.Length, (1024 * 1024) - _sent.Length);
            if (room > 0)
            {
                _sent.Append(System.Text.Encoding.Latin1.GetString(bytes[..room]));
            }
        }
    }

    /// <summary>Closes every connection and refuses new ones, as when the upstream is down.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
