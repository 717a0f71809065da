namespace DependencyProxy.Limits;

/// <summary>
/// What clients may take from the server (<c>DependencyProxy:Limits</c>): connections, the time they may take to send a
/// request's headers or sit idle between requests, and request body sizes. A flood of slow connections must end in
/// refused connections, never in a process out of descriptors.
/// </summary>
internal sealed class LimitsOptions
{
    public const string Section = Configuration.OptionsSections.Root + ":Limits";

    /// <summary>
    /// Connections held at once; past it, new ones are closed as they arrive. Lowered at start when the process's
    /// open-files limit leaves too little room (<see cref="ConnectionBudget"/>).
    /// </summary>
    public int MaxConcurrentConnections { get; set; } = DefaultMaxConcurrentConnections;

    public const int DefaultMaxConcurrentConnections = 10_000;

    /// <summary>How long a client may take to send a request's headers: slow senders (slowloris) are dropped after it.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a connection may sit idle between requests before the server closes it. Longer than common clients' own
    /// idle timeouts (Go's, in Docker and containerd: 90 s; .NET's: 60 s), so a client does not pick a connection the
    /// server is just closing.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a client may leave the next part of an answer unread before it is cut (Kestrel's minimum response data
    /// rate, 240 bytes/s, with this as its grace period). Kestrel's default of 5 s cut clients reading a cached layer at
    /// 100–400 KB/s (a slow office line) after 10–50 s; with a minute, a client that stops reading altogether still
    /// gives its connection and file back.
    /// </summary>
    public TimeSpan ResponseStallTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The largest request body read, counted as it is read (chunked ones too): this server takes no uploads.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    internal IEnumerable<string> Validate()
    {
        if (MaxConcurrentConnections < 1)
        {
            yield return "DependencyProxy:Limits:MaxConcurrentConnections must be at least 1.";
        }

        if (RequestHeadersTimeout <= TimeSpan.Zero || RequestHeadersTimeout > TimeSpan.FromHours(1))
        {
            yield return "DependencyProxy:Limits:RequestHeadersTimeout must be between 00:00:00.001 and 01:00:00.";
        }

        if (KeepAliveTimeout <= TimeSpan.Zero || KeepAliveTimeout > TimeSpan.FromHours(1))
        {
            yield return "DependencyProxy:Limits:KeepAliveTimeout must be between 00:00:00.001 and 01:00:00.";
        }

        if (ResponseStallTimeout < TimeSpan.FromSeconds(1) || ResponseStallTimeout > TimeSpan.FromHours(1))
        {
            yield return "DependencyProxy:Limits:ResponseStallTimeout must be between 00:00:01 and 01:00:00.";
        }

        if (MaxRequestBodyBytes < 64 * 1024)
        {
            yield return "DependencyProxy:Limits:MaxRequestBodyBytes must be at least 65536 (the REST API accepts bodies of up to 64 KiB).";
        }
    }
}
