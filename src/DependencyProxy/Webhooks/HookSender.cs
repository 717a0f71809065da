using System.Net.Sockets;
using DependencyProxy.Data;

namespace DependencyProxy.Webhooks;

/// <summary>One attempt's outcome: delivered (2xx), or not, with the status, duration and a short error (never the response body).</summary>
internal sealed record AttemptResult(bool Delivered, int? Status, TimeSpan Duration, string? Error);

/// <summary>
/// Sends one delivery: POST of the signed CloudEvents body, no redirects followed (a 3xx is a failure), the configured
/// timeout, and the connection checked against the SSRF rules (<see cref="HookUrls.ConnectAsync"/>).
/// </summary>
internal sealed class HookSender(IHttpClientFactory clients, TimeProvider time)
{
    public const string ClientName = "webhooks";
    public const string InsecureClientName = "webhooks-no-tls-verification";

    public async Task<AttemptResult> SendAsync(WebHook hook, OutboxEvent proxyEvent, long deliveryId, string? token, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        TimeSpan Elapsed() => time.GetElapsedTime(started);
        try
        {
            using var request = HookMessage.Request(new Uri(hook.Url), proxyEvent, deliveryId, token);
            var client = clients.CreateClient(hook.EnableSslVerification ? ClientName : InsecureClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new AttemptResult(true, status, Elapsed(), null)
                : new AttemptResult(false, status, Elapsed(), status is >= 300 and < 400 ? $"redirect ({status}) not followed" : $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(false, null, Elapsed(), "timed out");
        }
        catch (HttpRequestException e)
        {
            return new AttemptResult(false, null, Elapsed(), Describe(e));
        }
    }

    private static string Describe(HttpRequestException e)
    {
        var inner = e.InnerException;
        var message = inner switch
        {
            HookAddressRefusedException refused => $"refused: {refused.Message}",
            SocketException socket => $"could not connect: {socket.SocketErrorCode}",
            System.Security.Authentication.AuthenticationException => "TLS handshake failed (certificate not trusted?)",
            _ => e.Message,
        };
        return message.Length <= WebHookDelivery.MaxErrorLength ? message : message[..WebHookDelivery.MaxErrorLength];
    }
}
