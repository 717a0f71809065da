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

    public ThrottledRelay(int targetPort, int bytesPerSecond)
    {
        _targetPort = targetPort;
        _bytesPerSecond = bytesPerSecond;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

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
                var up = client.GetStream().CopyToAsync(target.GetStream(), _stop.Token);
                var down = CopyThrottledAsync(target.GetStream(), client.GetStream());
                await Task.WhenAny(up, down);
            }
            catch (Exception)
            {
                // A relay for tests: any broken side ends the connection.
            }
        }
    }

    private async Task CopyThrottledAsync(Stream source, Stream destination)
    {
        var chunk = Math.Max(1024, _bytesPerSecond / 20);
        var buffer = new byte[chunk];
        int read;
        while ((read = await source.ReadAsync(buffer, _stop.Token)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            await Task.Delay(TimeSpan.FromSeconds((double)read / _bytesPerSecond), _stop.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
