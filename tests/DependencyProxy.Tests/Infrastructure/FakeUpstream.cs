using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DependencyProxy.Oci;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DependencyProxy.Tests.Infrastructure;

public enum UpstreamFault
{
    None,
    ServerError,
    RateLimited,
    Hang,
    TokenEndpointDown,
}

/// <summary>
/// An in-process registry on loopback for fault injection: Docker-Hub-style token flow, blob redirects to
/// another host name, corrupt content, a gate that holds a blob mid-body, and counters for every request.
/// Real-software proof lives in the end-to-end tests; this one makes failures happen on demand.
/// </summary>
public sealed partial class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Content, string MediaType)> _manifests = new();
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new();
    private readonly ConcurrentDictionary<string, byte> _tokens = new();
    private readonly ConcurrentQueue<string> _requests = new();

    private FakeUpstream()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public string Url { get; private set; } = "";

    public int Port => new Uri(Url).Port;

    public UpstreamFault Fault { get; set; }

    public bool CorruptBlobs { get; set; }

    /// <summary>When set, a blob body stops halfway until the gate completes.</summary>
    public TaskCompletionSource? BlobGate { get; set; }

    /// <summary>Only these blobs wait for <see cref="BlobGate"/>; null: every blob.</summary>
    public IReadOnlySet<string>? GatedBlobs { get; set; }

    /// <summary>
    /// Asked with each request's method and path once it is recorded, before anything is answered: a test holds a request
    /// (its headers, so the proxy's upstream slot stays taken) by returning a task that it completes later.
    /// </summary>
    public Func<string, Task>? HoldRequest { get; set; }

    /// <summary>Blob GETs answer 307 to <c>localhost</c> (a different host name than the registry's 127.0.0.1).</summary>
    public bool RedirectBlobsToOtherHost { get; set; }

    public ConcurrentQueue<string?> CdnAuthorizations { get; } = new();

    /// <summary>When set, the registry's 401 names this token realm instead of its own <c>/token</c> (a lying upstream).</summary>
    public string? Realm { get; set; }

    /// <summary>When set, the blob CDN answers 401 with a Bearer challenge naming this realm (a 401 from a redirect target).</summary>
    public string? CdnChallengeRealm { get; set; }

    /// <summary>The Authorization header of every token request (Basic credentials of the proxy's Docker Hub account).</summary>
    public ConcurrentQueue<string> TokenAuthorizations { get; } = new();

    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Blob faults: cut the connection halfway, end the body early, trickle, answer a status, or redirect somewhere.</summary>
    public bool DropBlobsMidBody { get; set; }

    public bool ShortBlobBodies { get; set; }

    public int? TrickleBytesPerSecond { get; set; }

    public int? BlobStatus { get; set; }

    public string? BlobRedirectTarget { get; set; }

    /// <summary>When set, manifest answers carry Docker Hub's rate-limit headers with this many left of 100.</summary>
    public int? RateLimitRemaining { get; set; }

    /// <summary>When set, tag lists are answered in pages of this many tags with a <c>Link</c> to the next, as Distribution does.</summary>
    public int? TagPageSize { get; set; }

    /// <summary>When set, every tag list page carries this <c>Link</c> header instead of the real next page (a lying upstream).</summary>
    public string? TagListLink { get; set; }

    /// <summary>How long each manifest answer takes.</summary>
    public TimeSpan ManifestDelay { get; set; }

    /// <summary>The most requests that were being answered at the same moment.</summary>
    public int PeakConcurrency => Volatile.Read(ref _peak);

    private int _inFlight;
    private int _peak;

    public int Count(string prefix) => _requests.Count(r => r.StartsWith(prefix, StringComparison.Ordinal));

    public static async Task<FakeUpstream> StartAsync()
    {
        var upstream = new FakeUpstream();
        await upstream._app.StartAsync();
        upstream.Url = upstream._app.Urls.First();
        return upstream;
    }

    public Task StopAsync() => _app.StopAsync();

    public string AddBlob(byte[] content)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        _blobs[digest] = content;
        return digest;
    }

    /// <summary>Stores a manifest under its digest and, when given, a tag. Returns its digest.</summary>
    public string AddManifest(string repository, string? tag, byte[] content, string mediaType)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        _manifests[$"{repository}@{digest}"] = (content, mediaType);
        if (tag is not null)
        {
            _manifests[$"{repository}:{tag}"] = (content, mediaType);
        }

        return digest;
    }

    /// <summary>Adds tags to a repository (each a tiny manifest of its own): enough for tag lists.</summary>
    public void AddTags(string repository, params string[] tags)
    {
        foreach (var tag in tags)
        {
            AddManifest(repository, tag, Json($"{{\"tag\":\"{tag}\"}}"), "application/vnd.oci.image.manifest.v1+json");
        }
    }

    /// <summary>Deletes a repository: its tag list and manifests answer 404 from now on.</summary>
    public void Forget(string repository)
    {
        foreach (var key in _manifests.Keys.Where(k => k.StartsWith(repository + ":", StringComparison.Ordinal) || k.StartsWith(repository + "@", StringComparison.Ordinal)))
        {
            _manifests.TryRemove(key, out _);
        }
    }

    /// <summary>Serves <paramref name="content"/> when the digest <paramref name="digest"/> is asked for (a lying upstream).</summary>
    public void AddManifestUnderWrongDigest(string repository, string digest, byte[] content, string mediaType) =>
        _manifests[$"{repository}@{digest}"] = (content, mediaType);

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        try
        {
            await HandleCountedAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task HandleCountedAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        var method = context.Request.Method;
        // A request refused for want of a token is recorded apart, so counts show the requests that did the work.
        _requests.Enqueue($"{(NeedsToken(path) && !IsAuthorized(context) ? "UNAUTHORIZED " : "")}{method} {path}");
        if (HoldRequest is { } hold)
        {
            await hold($"{method} {path}").WaitAsync(context.RequestAborted).ContinueWith(_ => { });
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
        }
        if (Fault == UpstreamFault.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
            return;
        }

        if (path == "/token")
        {
            TokenAuthorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            await TokenAsync(context);
            return;
        }

        if (path.StartsWith("/cdn/", StringComparison.Ordinal))
        {
            CdnAuthorizations.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
            if (CdnChallengeRealm is { } cdnRealm)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{cdnRealm}\",service=\"fake-cdn\"";
                return;
            }

            await WriteBlobAsync(context, path["/cdn/".Length..]);
            return;
        }

        if (Fault is UpstreamFault.ServerError or UpstreamFault.RateLimited)
        {
            context.Response.StatusCode = Fault == UpstreamFault.ServerError ? 503 : 429;
            return;
        }

        if (await TryWriteReferrersAsync(context, path))
        {
            return;
        }

        var kindIndex = Math.Max(Math.Max(path.LastIndexOf("/manifests/", StringComparison.Ordinal), path.LastIndexOf("/blobs/", StringComparison.Ordinal)),
            path.EndsWith("/tags/list", StringComparison.Ordinal) ? path.Length - "/tags/list".Length : -1);
        if (!path.StartsWith("/v2/", StringComparison.Ordinal) || kindIndex < 0)
        {
            context.Response.StatusCode = path == "/v2/" ? 401 : 404;
            return;
        }

        var repository = path[4..kindIndex];
        if (!IsAuthorized(context))
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate =
                $"Bearer realm=\"{Realm ?? $"{Url}/token"}\",service=\"fake-registry\",scope=\"repository:{repository}:pull\"";
            return;
        }

        var rest = path[(kindIndex + 1)..];
        var reference = rest[(rest.IndexOf('/') + 1)..];
        if (rest == "tags/list")
        {
            await WriteTagListAsync(context, repository);
        }
        else if (rest.StartsWith("manifests/", StringComparison.Ordinal))
        {
            await WriteManifestAsync(context, repository, reference);
        }
        else if (BlobStatus is { } status)
        {
            context.Response.StatusCode = status;
        }
        else if (BlobRedirectTarget is { } target && method == "GET")
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = target;
        }
        else if (RedirectBlobsToOtherHost && method == "GET")
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = $"http://localhost:{Port}/cdn/{reference}";
        }
        else
        {
            await WriteBlobAsync(context, reference);
        }
    }

    private async Task TokenAsync(HttpContext context)
    {
        if (Fault == UpstreamFault.TokenEndpointDown)
        {
            context.Response.StatusCode = 503;
            return;
        }

        var token = Guid.NewGuid().ToString("N");
        _tokens[token] = 0;
        await context.Response.WriteAsJsonAsync(new { token, expires_in = 300 });
    }

    private static bool NeedsToken(string path) =>
        path.StartsWith("/v2/", StringComparison.Ordinal) && (path.Contains("/manifests/") || path.Contains("/blobs/") || path.Contains("/referrers/") || path.EndsWith("/tags/list"));

    /// <summary>The repository's tags in lexical order, paginated with <c>n</c>, <c>last</c> and <c>Link</c>; 404 NAME_UNKNOWN when it has none.</summary>
    private async Task WriteTagListAsync(HttpContext context, string repository)
    {
        var all = _manifests.Keys.Where(k => k.StartsWith(repository + ":", StringComparison.Ordinal)).Select(k => k[(repository.Length + 1)..])
            .Order(StringComparer.Ordinal).ToList();
        if (all.Count == 0)
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}");
            return;
        }

        var last = context.Request.Query["last"].FirstOrDefault();
        var after = last is null ? all : all.Where(t => string.CompareOrdinal(t, last) > 0).ToList();
        var size = int.TryParse(context.Request.Query["n"].FirstOrDefault(), out var n) ? n : TagPageSize ?? int.MaxValue;
        var page = after.Take(size).ToList();
        if (TagListLink is { } link)
        {
            context.Response.Headers.Link = link;
        }
        else if (page.Count < after.Count)
        {
            context.Response.Headers.Link = $"</v2/{repository}/tags/list?last={Uri.EscapeDataString(page[^1])}&n={size}>; rel=\"next\"";
        }

        await context.Response.WriteAsJsonAsync(new { name = repository, tags = page });
    }

    private bool IsAuthorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.ContainsKey(header["Bearer ".Length..]);
    }

    private async Task WriteManifestAsync(HttpContext context, string repository, string reference)
    {
        var key = reference.Contains(':') ? $"{repository}@{reference}" : $"{repository}:{reference}";
        if (!_manifests.TryGetValue(key, out var manifest))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
            return;
        }

        if (ManifestDelay > TimeSpan.Zero)
        {
            await Task.Delay(ManifestDelay);
        }

        if (RateLimitRemaining is { } remaining)
        {
            context.Response.Headers["ratelimit-limit"] = "100;w=21600";
            context.Response.Headers["ratelimit-remaining"] = $"{remaining};w=21600";
        }

        context.Response.ContentType = manifest.MediaType;
        context.Response.ContentLength = manifest.Content.Length;
        context.Response.Headers["Docker-Content-Digest"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest.Content));
        if (context.Request.Method == "GET")
        {
            await context.Response.Body.WriteAsync(manifest.Content);
        }
    }

    private async Task WriteBlobAsync(HttpContext context, string digest)
    {
        if (!_blobs.TryGetValue(digest, out var content))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (CorruptBlobs)
        {
            content = [.. content];
            content[^1] ^= 0xFF;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = content.Length;
        if (context.Request.Method != "GET")
        {
            return;
        }

        if (TrickleBytesPerSecond is { } rate)
        {
            for (var offset = 0; offset < content.Length; offset += 100)
            {
                await context.Response.Body.WriteAsync(content.AsMemory(offset, Math.Min(100, content.Length - offset)));
                await context.Response.Body.FlushAsync();
                await Task.Delay(TimeSpan.FromSeconds(100.0 / rate));
            }

            return;
        }

        var half = content.Length / 2;
        await context.Response.Body.WriteAsync(content.AsMemory(0, half));
        await context.Response.Body.FlushAsync();
        if (DropBlobsMidBody)
        {
            context.Abort();
            return;
        }

        if (ShortBlobBodies)
        {
            await context.Response.Body.WriteAsync(content.AsMemory(half, content.Length - half - 10));
            return; // ten bytes short of Content-Length
        }

        if (BlobGate is { } gate && (GatedBlobs is null || GatedBlobs.Contains(digest)))
        {
            await gate.Task.WaitAsync(context.RequestAborted);
        }

        await context.Response.Body.WriteAsync(content.AsMemory(half));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}
