using Microsoft.Extensions.Options;

namespace DependencyProxy.Upstream;

/// <summary>
/// The upstream client's handler: no automatic redirects (the client follows them under <see cref="RedirectPolicy"/>), no
/// decompression (digests are over the bytes as sent), no cookies, a connect timeout, and every connection through
/// <see cref="UpstreamConnector"/>.
/// </summary>
internal static class UpstreamHttpHandler
{
    public static SocketsHttpHandler Create(IServiceProvider provider) => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = provider.GetRequiredService<IOptions<UpstreamTimeoutOptions>>().Value.ConnectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = provider.GetRequiredService<UpstreamConnector>().ConnectAsync,
    };
}
