using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// The in-process test server has no sockets, so every request would come from nowhere. This sets the connection's
/// remote address from the <c>X-Test-Client-Address</c> header (127.0.0.1 without it) before the server's own
/// middleware runs, so tests can play clients on different addresses, and proxies in front of them.
/// </summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.TryParse(context.Request.Headers[Header], out var address) ? address : IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}
