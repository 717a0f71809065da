using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// What a virtual registry tells the client when no upstream served a request (issue 18). Only when every upstream gave a
/// definite answer (404, 401, 403) is it "unknown": had one failed (timeout, 5xx, 429, open circuit), the content may well
/// be on it, so the client learns of that failure instead, answered as the group cache answers an upstream failure with
/// nothing cached (<c>Registry/OciFailures</c>: 502, 504 or 429), naming the upstream.
/// </summary>
internal sealed class VirtualFailures(VirtualRegistryView registry)
{
    private UpstreamException? _definite;
    private (UpstreamException Failure, VirtualUpstream Upstream)? _outage;

    public void Add(VirtualUpstream upstream, UpstreamException failure)
    {
        if (failure.IsOutage)
        {
            _outage ??= (failure, upstream); // the first by position: the one the client would have been served from
        }
        else
        {
            _definite = failure;
        }
    }

    /// <summary>The failure to answer with; <paramref name="none"/> when there was no upstream to ask at all.</summary>
    public UpstreamException Answer(Func<UpstreamException> none) =>
        _outage is var (failure, upstream)
            ? new UpstreamException(failure.Kind,
                $"upstream {upstream.Id} ({upstream.Repository.Registry}) of virtual registry {registry.RegistryId} failed, and no " +
                $"later upstream had it: {failure.Message}", failure.RetryAfter, failure)
            : _definite ?? none();
}
