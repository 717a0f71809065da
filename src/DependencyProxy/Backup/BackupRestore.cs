using System.Security.Cryptography;

namespace DependencyProxy.Backup;

/// <summary>
/// <c>backup restore DIR</c> into an empty data directory. The backup is checked before and while it is copied: the
/// marker must hold the manifest's hash, the schema must be one this build knows, every file must be a plain file
/// inside the backup, the keys and database must have the manifest's hashes and every content file the digest it is
/// named by. Content and keys are copied first and the database last, so a data directory without its database is
/// never mistaken for a restored one; on any refusal everything written is removed again.
/// </summary>
internal sealed class BackupRestore(string backup, string dataDirectory)
{
    /// <summary>The manifest of what was restored; <see cref="BackupRefusedException"/> says why nothing was.</summary>
    public async Task<BackupManifest> RestoreAsync(CancellationToken cancellationToken)
    {
        var manifest = await ReadCheckedManifestAsync();
        if (PathNesting.IsInside(dataDirectory, backup))
        {
            throw new BackupRefusedException($"the data directory {dataDirectory} is inside the backup {backup}: restore it elsewhere");
        }

        var created = !Directory.Exists(dataDirectory);
        if (created && !OperatingSystem.IsWindows())
        {
            // Owner only, as systemd's StateDirectory makes it: the database holds password and token hashes.
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Directory.CreateDirectory(dataDirectory);
        try
        {
            var restored = 0;
            foreach (var file in ContentFiles.Under(backup))
            {
                PlainFileInside(file.FullPath);
                var to = Path.Combine(dataDirectory, ContentFiles.RelativePathOf(file.Digest));
                if (!await ContentFiles.CopyCheckedAsync(file.FullPath, to, file.Digest.CreateHash(), file.Digest.Matches, cancellationToken))
                {
                    throw new BackupRefusedException($"{file.FullPath} does not match its digest: the backup is damaged, nothing was restored");
                }

                restored++;
            }

            if (restored != manifest.Counts.ContentFiles)
            {
                throw new BackupRefusedException(
                    $"the backup lists {manifest.Counts.ContentFiles} content files but holds {restored}: it is damaged, nothing was restored");
            }

            // The database last: until it is there, the data directory is not an instance.
            foreach (var file in manifest.Files.OrderBy(f => f.Path == BackupManifest.DatabaseName))
            {
                await RestoreFileAsync(file, cancellationToken);
            }

            await SqliteIntegrity.ThrowUnlessSoundAsync(Path.Combine(dataDirectory, BackupManifest.DatabaseName), cancellationToken);

            return manifest;
        }
        catch
        {
            WrittenFolder.Undo(dataDirectory, created);
            throw;
        }
    }

    private async Task<BackupManifest> ReadCheckedManifestAsync()
    {
        if (!Directory.Exists(backup))
        {
            throw new BackupRefusedException($"{backup} does not exist");
        }

        var marker = Path.Combine(backup, BackupManifest.MarkerName);
        var manifestPath = Path.Combine(backup, BackupManifest.FileName);
        if (!File.Exists(marker) || !File.Exists(manifestPath))
        {
            throw new BackupRefusedException(
                $"{backup} is not a complete backup: it has no {(File.Exists(manifestPath) ? BackupManifest.MarkerName : BackupManifest.FileName)} " +
                "(the backup was interrupted, is still being written, or this is not a backup)");
        }

        PlainFileInside(marker);
        PlainFileInside(manifestPath);
        var bytes = await File.ReadAllBytesAsync(manifestPath);
        var expected = (await File.ReadAllTextAsync(marker)).Trim();
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(expected),
                System.Text.Encoding.ASCII.GetBytes(BackupManifest.MarkerFor(bytes))))
        {
            throw new BackupRefusedException($"{backup} is not a complete backup: {BackupManifest.FileName} does not match its marker (changed or cut short)");
        }

        var manifest = BackupManifest.TryRead(bytes)
            ?? throw new BackupRefusedException($"{manifestPath} is not a backup manifest this release reads (format {BackupManifest.CurrentFormat})");
        if (!BackupDatabase.KnownMigrations().Contains(manifest.Schema))
        {
            throw new BackupRefusedException(
                $"the backup was made by a newer release ({manifest.Version}, schema {Oci.Digest.Sanitize(manifest.Schema)}): restore it with that release or a newer one");
        }

        if (manifest.Files.Count(f => f.Path == BackupManifest.DatabaseName) != 1)
        {
            throw new BackupRefusedException($"{manifestPath} lists no database: the backup is damaged");
        }

        // The manifest is not signed: a path it names must stay inside the backup and the data directory.
        var keyFiles = KeyFiles.Under(backup).ToHashSet(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            var relative = file.Path.Replace('/', Path.DirectorySeparatorChar);
            if (file.Path != BackupManifest.DatabaseName && !keyFiles.Contains(relative))
            {
                throw new BackupRefusedException($"{manifestPath} names '{SanitizedPath(file.Path)}', which is not a key file of the backup: it is damaged");
            }
        }

        return manifest;
    }

    private async Task RestoreFileAsync(BackupFile file, CancellationToken cancellationToken)
    {
        var relative = file.Path.Replace('/', Path.DirectorySeparatorChar);
        var from = Path.Combine(backup, relative);
        if (!File.Exists(from))
        {
            throw new BackupRefusedException($"{from} is missing: the backup is damaged, nothing was restored");
        }

        PlainFileInside(from);
        var to = Path.Combine(dataDirectory, relative);
        var good = await ContentFiles.CopyCheckedAsync(from, to, IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
            hash => Convert.ToHexStringLower(hash.GetHashAndReset()) == file.Sha256, cancellationToken);
        if (!good)
        {
            throw new BackupRefusedException($"{from} does not match the SHA-256 in {BackupManifest.FileName}: the backup is damaged, nothing was restored");
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(to, File.GetUnixFileMode(from));
        }
    }

    /// <summary>
    /// A link could make a restore read (and copy into the data directory) a file from anywhere: the file and each folder
    /// between it and the backup's top must be no link.
    /// </summary>
    private void PlainFileInside(string path)
    {
        var top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(backup));
        for (var at = path; at is not null && at.Length > top.Length; at = Path.GetDirectoryName(at))
        {
            if (new FileInfo(at).LinkTarget is not null)
            {
                throw new BackupRefusedException($"{at} is a symbolic link: a backup holds plain files and folders only");
            }
        }
    }

    /// <summary>A name from the manifest, shown with its slashes (so '../' reads as it is) and nothing that could disturb a terminal.</summary>
    private static string SanitizedPath(string value) =>
        new(value.Take(200).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' ? c : '?').ToArray());
}

/// <summary>A backup that cannot be restored (or a place it cannot be restored into), with the sentence that says why.</summary>
internal sealed class BackupRefusedException(string message) : Exception(message);
