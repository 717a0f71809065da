namespace DependencyProxy.Configuration;

/// <summary>
/// What every part of an instance shares, at the top of the <c>DependencyProxy</c> section: where its files are, and the
/// address clients use. Each feature's own settings are in its own folder.
/// </summary>
internal sealed class InstanceOptions
{
    public const string DefaultDataDirectory = "./data";

    /// <summary>Holds the SQLite database, the content store, the signing and data-protection keys.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>The URL clients use to reach this server, for image prefixes; may be unset (<see cref="PublicAddress"/>).</summary>
    public string? ExternalUrl { get; set; }

    internal static IEnumerable<string> Validate(InstanceOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            yield return "DependencyProxy:DataDirectory must not be empty.";
        }

        if (!string.IsNullOrEmpty(options.ExternalUrl) && !HttpUrl.IsValid(options.ExternalUrl))
        {
            yield return $"DependencyProxy:ExternalUrl must be an absolute http or https URL (got '{options.ExternalUrl}').";
        }
    }
}
