using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DependencyProxy.Data;

namespace DependencyProxy.Webhooks;

/// <summary>
/// What a delivery sends: the event as a CloudEvents 1.0 structured JSON body, and its headers. The body is the same bytes
/// on every retry (the event's id and time are the stored ones), so a receiver can drop repeats by <c>id</c>.
/// </summary>
internal static class HookMessage
{
    public const string ContentType = "application/cloudevents+json";
    public const string SignatureHeader = "X-Dependency-Proxy-Signature";
    public const string EventHeader = "X-Dependency-Proxy-Event";
    public const string DeliveryHeader = "X-Dependency-Proxy-Delivery";

    public static byte[] Body(OutboxEvent proxyEvent)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("type", proxyEvent.Type);
            json.WriteString("source", proxyEvent.Source);
            json.WriteString("id", proxyEvent.EventId.ToString());
            json.WriteString("time", DateTime.SpecifyKind(proxyEvent.Time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            if (proxyEvent.Subject is { } subject)
            {
                json.WriteString("subject", subject);
            }

            json.WriteString("datacontenttype", "application/json");
            json.WritePropertyName("data");
            json.WriteRawValue(proxyEvent.Data);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary><c>sha256=&lt;hex HMAC-SHA256(token, body)&gt;</c>, as GitHub signs its webhooks.</summary>
    public static string Signature(string token, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), body));

    public static HttpRequestMessage Request(Uri url, OutboxEvent proxyEvent, long deliveryId, string? token)
    {
        var body = Body(proxyEvent);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(ContentType) { CharSet = "utf-8" };
        request.Headers.Add(EventHeader, proxyEvent.Type);
        request.Headers.Add(DeliveryHeader, deliveryId.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Add(SignatureHeader, Signature(token, body));
        }

        return request;
    }
}
