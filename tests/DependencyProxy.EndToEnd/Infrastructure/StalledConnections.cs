using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Loopback sockets that each send half a request header and then stall (slowloris), noting when the server closed
/// them. A socket the server never accepted, or one it kept, stays open until disposed.
/// </summary>
public sealed class StalledConnections : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Stalled> _connections = [];

    private StalledConnections()
    {
    }

    /// <summary>How many sockets connected and sent their half header.</summary>
    public int Connected => _connections.Count(c => c.ConnectedAt is not null);

    /// <summary>How many never connected (the kernel's queue was full, or the connect timed out).</summary>
    public int NotConnected => _connections.Count(c => c.ConnectedAt is null);

    /// <summary>Closed by the server within <paramref name="afterConnect"/> of their connect: refused, not timed out.</summary>
    public int ClosedWithin(TimeSpan afterConnect) =>
        _connections.Count(c => c.ConnectedAt is { } connected && c.ClosedAt is { } closed && closed - connected <= afterConnect);

    public int Closed => _connections.Count(c => c.ClosedAt is not null);

    public int StillOpen => Connected - Closed;

    /// <summary>How long after its connect each closed socket was closed by the server.</summary>
    public IReadOnlyList<TimeSpan> LifetimesOfClosed =>
        _connections.Where(c => c.ConnectedAt is not null && c.ClosedAt is not null).Select(c => c.ClosedAt!.Value - c.ConnectedAt!.Value).ToList();

    /// <summary>Opens <paramref name="count"/> sockets, <paramref name="parallel"/> at a time, each sending half a header.</summary>
    public static Task<StalledConnections> OpenAsync(int port, int count, int parallel = 100) =>
        OpenAsync(port, count, Encoding.ASCII.GetBytes($"GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: slow"), watch: true, parallel);

    /// <summary>
    /// Opens <paramref name="count"/> sockets that each ask for <paramref name="path"/> and then read only the status line:
    /// the server fills the socket buffers and waits, holding the socket and whatever file it serves from. The status
    /// each got (or "closed") is in <see cref="Statuses"/>.
    /// </summary>
    public static Task<StalledConnections> OpenReadersAsync(int port, int count, string path, int parallel = 100) =>
        OpenAsync(port, count, Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"), watch: false, parallel);

    private static async Task<StalledConnections> OpenAsync(int port, int count, byte[] request, bool watch, int parallel)
    {
        var set = new StalledConnections();
        for (var start = 0; start < count; start += parallel)
        {
            var batch = Enumerable.Range(start, Math.Min(parallel, count - start)).Select(_ => set.OpenOneAsync(port, request, watch)).ToList();
            await Task.WhenAll(batch);
        }

        return set;
    }

    /// <summary>Waits until no socket is left open, or the deadline passes.</summary>
    public async Task WaitUntilAllClosedAsync(TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (StillOpen > 0 && _clock.Elapsed < deadline)
        {
            await Task.Delay(100);
        }
    }

    private async Task OpenOneAsync(int port, byte[] request, bool watch)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connection = new Stalled(socket);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return;
        }

        connection.ConnectedAt = _clock.Elapsed;
        try
        {
            await socket.SendAsync(request, SocketFlags.None);
        }
        catch (SocketException)
        {
            // Already closed by the server.
            connection.ClosedAt = _clock.Elapsed;
            return;
        }

        _ = watch ? WatchAsync(connection) : ReadStatusAsync(connection);
    }

    /// <summary>How many sockets got each answer: "200", "503", … or "closed" (no answer before the server closed it).</summary>
    public IReadOnlyDictionary<string, int> Statuses
    {
        get
        {
            lock (_connections)
            {
                return _connections.Where(c => c.Status is not null).GroupBy(c => c.Status!).ToDictionary(g => g.Key, g => g.Count());
            }
        }
    }

    /// <summary>Reads the first bytes of the answer, no more: the status line's code, or "closed".</summary>
    private static async Task ReadStatusAsync(Stalled connection)
    {
        var buffer = new byte[64];
        try
        {
            var read = await connection.Socket.ReceiveAsync(buffer, SocketFlags.None);
            var line = Encoding.ASCII.GetString(buffer, 0, read);
            connection.Status = read == 0 ? "closed" : line.Length >= 12 && line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? line[9..12] : line;
        }
        catch (SocketException)
        {
            connection.Status = "closed";
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads until the server closes (an end of stream or a reset; a 408 answer first is fine) and notes when.</summary>
    private async Task WatchAsync(Stalled connection)
    {
        var buffer = new byte[1024];
        try
        {
            while (await connection.Socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        connection.ClosedAt = _clock.Elapsed;
    }

    public void Dispose()
    {
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Socket.Dispose();
            }
        }
    }

    /// <summary>Times are written by the socket's own task and read by the test: kept as ticks, read and written whole.</summary>
    private sealed class Stalled(Socket socket)
    {
        private long _connectedAt = -1;
        private long _closedAt = -1;

        public Socket Socket { get; } = socket;

        public string? Status { get; set; }

        public TimeSpan? ConnectedAt
        {
            get => Read(ref _connectedAt);
            set => Volatile.Write(ref _connectedAt, value!.Value.Ticks);
        }

        public TimeSpan? ClosedAt
        {
            get => Read(ref _closedAt);
            set => Volatile.Write(ref _closedAt, value!.Value.Ticks);
        }

        private static TimeSpan? Read(ref long ticks) => Volatile.Read(ref ticks) is >= 0 and var t ? TimeSpan.FromTicks(t) : null;
    }
}
