using System.Net.Http.Json;
using System.Text.Json;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>The proxy's REST API over real HTTP, as an operator's script calls it with <c>PRIVATE-TOKEN</c>.</summary>
public sealed class RestApi(string host, string token) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://{host}/api/v4/") };

    public RestApi(ProxyServer proxy, string token)
        : this(proxy.Host, token)
    {
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("PRIVATE-TOKEN", token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        }

        // 204 No Content (a DELETE) has no body: an undefined element.
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, body);

    public Task<JsonElement> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public void Dispose() => _http.Dispose();
}
