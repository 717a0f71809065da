using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>Calls the REST API and the token endpoint the way scripts and registry clients do.</summary>
public sealed class ApiClient(HttpClient http)
{
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, "/api/v4" + path);
        if (token is not null)
        {
            request.Headers.Add("PRIVATE-TOKEN", token);
        }

        if (body is not null)
        {
            request.Content = body is string raw ? new StringContent(raw, Encoding.UTF8, "application/json") : JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, string? token) => SendAsync(HttpMethod.Get, path, token);

    public Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string? token, object body) => SendAsync(HttpMethod.Post, path, token, body);

    public Task<(HttpStatusCode Status, JsonElement Body)> PutAsync(string path, string? token, object body) => SendAsync(HttpMethod.Put, path, token, body);

    public Task<(HttpStatusCode Status, JsonElement Body)> DeleteAsync(string path, string? token) => SendAsync(HttpMethod.Delete, path, token);

    /// <summary>Creates a user and a personal access token for them (as root); returns the user's id and the token.</summary>
    public async Task<(long Id, string Token)> CreateUserWithTokenAsync(string username, params string[] scopes)
    {
        var (status, user) = await PostAsync("/users", ProxyFactory.RootToken,
            new { username, email = $"{username}@example.com", name = username, password = "long-enough-password" });
        if (status != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"create user: {status} {user}");
        }

        var id = user.GetProperty("id").GetInt64();
        var (_, token) = await PostAsync($"/users/{id}/personal_access_tokens", ProxyFactory.RootToken,
            new { name = "test", scopes = scopes.Length == 0 ? ["api", "read_registry"] : scopes });
        return (id, token.GetProperty("token").GetString()!);
    }

    /// <summary>Docker's login: <c>GET /jwt/auth</c> with Basic credentials (or none); returns the status and the JWT.</summary>
    public async Task<(HttpStatusCode Status, string? Token)> LoginAsync(string? username, string? secret, string? repository = null)
    {
        var scope = repository is null ? "" : $"&scope=repository:{repository}:pull";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jwt/auth?service=dependency_proxy{scope}");
        if (username is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{secret}")));
        }

        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            return (response.StatusCode, null);
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.GetProperty("token").GetString());
    }

    /// <summary>GET a manifest with a registry token, as a client does after logging in.</summary>
    public async Task<HttpResponseMessage> PullManifestAsync(string group, string image, string? jwt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{group}/dependency_proxy/containers/{image}/manifests/latest");
        if (jwt is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        }

        return await http.SendAsync(request);
    }
}
