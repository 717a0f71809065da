namespace DependencyProxy.Upstream;

/// <summary>An account at an upstream registry, used only to ask its token endpoint for a token.</summary>
public sealed class UpstreamCredentials(string identity, string secret)
{
    public string Identity { get; } = identity;

    public string Secret { get; } = secret;

    /// <summary>Never the secret: credentials end up in log scopes and exception messages by accident.</summary>
    public override string ToString() => $"{Identity}:***";
}
