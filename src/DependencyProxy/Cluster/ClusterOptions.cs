using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Storage;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cluster;

/// <summary>
/// Several nodes sharing one PostgreSQL database and one bucket (<c>DependencyProxy:Cluster</c>). Off unless
/// <see cref="InternalUrl"/> is set.
/// </summary>
internal sealed class ClusterOptions
{
    public const string Section = OptionsSections.Root + ":Cluster";

    /// <summary>How the other nodes reach this one (e.g. <c>http://10.0.0.5:5000</c>): it names the node in leases, and
    /// they read its downloads in progress at <c>/-/internal/</c> there.</summary>
    public string? InternalUrl { get; set; }

    /// <summary>Shared by every node, at least 32 characters: the only credential the internal endpoint accepts.</summary>
    public string? Secret { get; set; }

    /// <summary>How long a node's claim on a download or a job lasts without renewal: how soon another node takes over
    /// the work of one that died. Renewed every third of it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public bool Enabled => !string.IsNullOrEmpty(InternalUrl);
}

/// <summary>A cluster's rules, including what it needs of the database and the store: nodes share both.</summary>
internal sealed class ClusterOptionsValidator(IOptions<DatabaseOptions> database, IOptions<StorageOptions> storage)
    : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options) =>
        Problems(options, SharesDatabaseAndStore).ToList() is { Count: > 0 } problems
            ? ValidateOptionsResult.Fail(problems)
            : ValidateOptionsResult.Success;

    /// <summary>Asked only with clustering on. Sections invalid in themselves are said by their own validators, once.</summary>
    private bool SharesDatabaseAndStore()
    {
        try
        {
            return database.Value.Provider == DatabaseEngine.PostgreSql && storage.Value.Provider == StorageProvider.S3;
        }
        catch (OptionsValidationException)
        {
            return true;
        }
    }

    internal static IEnumerable<string> Problems(ClusterOptions cluster, Func<bool> sharesDatabaseAndStore)
    {
        if (!cluster.Enabled)
        {
            yield break;
        }

        if (!HttpUrl.IsValid(cluster.InternalUrl))
        {
            yield return $"DependencyProxy:Cluster:InternalUrl must be an absolute http or https URL (got '{cluster.InternalUrl}').";
        }

        if (cluster.Secret is not { Length: >= 32 })
        {
            yield return "DependencyProxy:Cluster:Secret must be set, at least 32 characters, and the same on every node.";
        }

        if (!sharesDatabaseAndStore())
        {
            yield return "DependencyProxy:Cluster needs the postgresql database provider and the s3 storage provider: nodes share both.";
        }

        if (cluster.LeaseDuration < TimeSpan.FromSeconds(1) || cluster.LeaseDuration > TimeSpan.FromMinutes(10))
        {
            yield return "DependencyProxy:Cluster:LeaseDuration must be between 00:00:01 and 00:10:00.";
        }
    }
}
