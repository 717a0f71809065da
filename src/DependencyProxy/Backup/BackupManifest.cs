using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DependencyProxy.Backup;

/// <summary>
/// <c>backup.json</c>: what a backup holds. The database and key files are listed with their SHA-256 (content files are
/// named by theirs), and the schema says which release can restore it. The marker written after it holds its hash, so
/// a backup whose manifest was cut short or edited is refused as incomplete.
/// </summary>
internal sealed record BackupManifest(
    int Format,
    string Version,
    string Schema,
    DateTimeOffset CreatedAt,
    string DataDirectory,
    BackupCounts Counts,
    IReadOnlyList<BackupFile> Files)
{
    public const int CurrentFormat = 1;

    /// <summary>The file names in a backup: the data directory's own layout, plus the manifest and the marker.</summary>
    public const string FileName = "backup.json";

    public const string MarkerName = "backup-complete";

    public const string DatabaseName = "dependency-proxy.db";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>This build's version, as its assembly states it.</summary>
    public static string ThisVersion { get; } =
        typeof(BackupManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Null when the bytes are not a manifest of a format this build reads.</summary>
    public static BackupManifest? TryRead(byte[] bytes)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<BackupManifest>(bytes, Json);
            return manifest is { Format: CurrentFormat, Schema: not null, Counts: not null, Files: not null } ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string MarkerFor(byte[] manifest) => Convert.ToHexStringLower(SHA256.HashData(manifest));
}

/// <summary>What was backed up; the database rows are counted in the backup's copy, not the live database.</summary>
internal sealed record BackupCounts(
    int Groups,
    int Users,
    int PersonalAccessTokens,
    int DeployTokens,
    int CachedManifests,
    int CachedBlobs,
    int ContentFiles,
    long ContentBytes,
    int ContentLinked,
    int ContentCopied,
    int DamagedLeftOut,
    int MissingContent);

/// <summary>A file of the backup other than content: its path relative to the backup (with '/'), size and SHA-256.</summary>
internal sealed record BackupFile(string Path, long Size, string Sha256);
