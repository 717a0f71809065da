using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Limits;

/// <summary>
/// Kestrel's connection limit accepts a connection past it and then closes it: each costs a descriptor until closed, and
/// a burst of hundreds arrives faster than the closes, so the descriptors the limit was meant to keep ran out anyway
/// (an outside review killed the process with 600 connections at <c>ulimit -n 1024</c>). This transport stops accepting
/// once the limit and <see cref="Headroom"/> more are open: the rest wait in the kernel's queue (or are refused by it
/// when that is full) instead of taking descriptors, and are accepted, and served or closed, as connections end.
/// </summary>
internal sealed class AcceptGate(IOptions<SocketTransportOptions> socketOptions, ILoggerFactory loggers, IOptions<KestrelServerOptions> kestrel)
    : IConnectionListenerFactory
{
    /// <summary>Connections past the limit that may be open at once while Kestrel closes them.</summary>
    public const int Headroom = 32;

    private readonly SocketTransportFactory _sockets = new(socketOptions, loggers);

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var limit = kestrel.Value.Limits.MaxConcurrentConnections;
        var listener = await _sockets.BindAsync(endpoint, cancellationToken);
        return limit is { } max ? new GatedListener(listener, new SemaphoreSlim((int)Math.Min(int.MaxValue, max + Headroom))) : listener;
    }

    private sealed class GatedListener(IConnectionListener inner, SemaphoreSlim open) : IConnectionListener
    {
        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            await open.WaitAsync(cancellationToken);
            try
            {
                var connection = await inner.AcceptAsync(cancellationToken);
                if (connection is null)
                {
                    open.Release();
                    return null;
                }

                return new CountedConnection(connection, open);
            }
            catch
            {
                open.Release();
                throw;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>The accepted connection as it is, giving its place back once Kestrel has disposed of it (its socket closed).</summary>
    private sealed class CountedConnection(ConnectionContext inner, SemaphoreSlim open) : ConnectionContext
    {
        private int _released;

        public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

        public override IFeatureCollection Features => inner.Features;

        public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

        public override IDuplexPipe Transport { get => inner.Transport; set => inner.Transport = value; }

        public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }

        public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

        public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

        public override void Abort() => inner.Abort();

        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                {
                    open.Release();
                }
            }
        }
    }
}
