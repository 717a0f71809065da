using DependencyProxy.Common;
using System.CommandLine;
using DependencyProxy.Backup;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Storage;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cli;

/// <summary><c>backup create DIR</c> and <c>backup restore DIR</c>: a single node's data directory, copied and put back.</summary>
internal static class BackupCommands
{
    public static Command Create()
    {
        var into = new Argument<string>("directory") { Description = "A new or empty directory the backup is written to." };
        var from = new Argument<string>("directory") { Description = "A directory written by 'backup create'." };
        var backup = new Command("backup", "Back up a data directory, or restore one from a backup.");
        backup.Subcommands.Add(ProxyCommandLine.Leaf("create",
            "Write a backup of this data directory (SQLite database, keys, cached content) into an empty directory, while the " +
            "server runs. Content files are hard-linked where the filesystem allows (copied otherwise) and each is checked " +
            "against its digest; the backup is complete once its backup-complete marker is written. Copy the directory " +
            "elsewhere (rsync -aH, tar) to keep it.",
            NotForSharedStores,
            async (result, services, ct) => await CreateAsync(DataDirectory(services), result.GetValue(into)!, ct),
            into));
        backup.Subcommands.Add(ProxyCommandLine.WithoutInstance("restore",
            "Restore a backup into this data directory, which must be new or empty; every file is checked first. Then start " +
            "the server on it: migrations are applied at start.",
            services => NotForSharedStores(services) ?? NotEmpty(DataDirectory(services)),
            async (result, services, ct) => await RestoreAsync(result.GetValue(from)!, DataDirectory(services), ct),
            from));
        return backup;
    }

    private static async Task<int> CreateAsync(string data, string typed, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(typed))
        {
            return await EmptyArgumentAsync();
        }

        var target = Path.GetFullPath(typed);
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
        {
            return await ProxyCommandLine.FailAsync($"{target} is not empty: a backup goes into a new or empty directory");
        }

        // Compared as the file system resolves them: a symbolic link must not carry the backup into the data directory.
        if (PathNesting.IsInside(target, data) || PathNesting.IsInside(data, target))
        {
            return await ProxyCommandLine.FailAsync($"{target} is inside the data directory {data} (or holds it): back up to a directory of its own");
        }

        var created = !Directory.Exists(target);
        try
        {
            // Owner only: the database holds password and token hashes (a server under systemd keeps it 0600 too).
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(target);
            }
            else
            {
                Directory.CreateDirectory(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var manifest = await new BackupWriter(data, warning => ProxyCommandLine.Console.Error.WriteLine($"warning: {warning}")).CreateAsync(target, ct);
            var c = manifest.Counts;
            ProxyCommandLine.Out.WriteLine($"Backed up {data} to {target}: the database ({c.Groups} groups, {c.Users} users, " +
                $"{c.PersonalAccessTokens} personal access tokens, {c.CachedManifests} cached manifests), {manifest.Files.Count - 1} key files and " +
                $"{c.ContentFiles} content files ({c.ContentBytes} bytes; {c.ContentLinked} hard-linked, {c.ContentCopied} copied).");
            if (c.DamagedLeftOut + c.MissingContent == 0)
            {
                return 0;
            }

            await ProxyCommandLine.Console.Error.WriteLineAsync($"The backup is complete, but {c.DamagedLeftOut} damaged content files were left out and " +
                $"{c.MissingContent} the database names were missing; they are fetched again when pulled.");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            // No marker was written, so this is not a backup; remove what was, so it does not look like one either.
            if (Directory.Exists(target))
            {
                WrittenFolder.Undo(target, created);
            }

            return await ProxyCommandLine.FailAsync(created && !Directory.Exists(target)
                ? $"the backup failed: {e.Message}"
                : $"the backup failed, and what it had written into {target} was removed: {e.Message}");
        }
    }

    private static async Task<int> RestoreAsync(string typed, string data, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(typed))
        {
            return await EmptyArgumentAsync();
        }

        var backup = Path.GetFullPath(typed);
        try
        {
            var manifest = await new BackupRestore(backup, data).RestoreAsync(ct);
            ProxyCommandLine.Out.WriteLine($"Restored the backup of {manifest.CreatedAt:u} ({manifest.Counts.Groups} groups, {manifest.Counts.Users} users, " +
                $"{manifest.Counts.ContentFiles} content files) into {data}. Start the server with {ProgramInvocation.ShellWord($"--DependencyProxy:DataDirectory={data}")}.");
            return 0;
        }
        catch (BackupRefusedException refused)
        {
            return await ProxyCommandLine.FailAsync($"nothing was restored: {refused.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return await ProxyCommandLine.FailAsync($"nothing was restored: {e.Message}");
        }
    }

    private static async Task<int> EmptyArgumentAsync()
    {
        await ProxyCommandLine.Console.Error.WriteLineAsync("error: the backup directory must not be empty text");
        return ProxyCommandLine.UsageError;
    }

    /// <summary>PostgreSQL and a bucket have backups of their own, which are consistent where a file copy is not.</summary>
    private static string? NotForSharedStores(IServiceProvider services) =>
        services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider != DatabaseEngine.Sqlite
        || services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider != StorageProvider.FileSystem
            ? "backup works on a SQLite database with content in the data directory. With PostgreSQL, back up the database with " +
              "pg_dump (pg_dump -Fc) and restore it with pg_restore; with S3, turn on the bucket's versioning (or replicate it); " +
              "keep the data directory's keys folder with them. docs/operations.md, \"Backup and restore\", has the steps."
            : null;

    private static string? NotEmpty(string data) =>
        File.Exists(data) || (Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any())
            ? $"the data directory {data} is not empty: restore into a new or empty directory (--DependencyProxy:DataDirectory)"
            : null;

    private static string DataDirectory(IServiceProvider services) =>
        Path.GetFullPath(services.GetRequiredService<IOptions<InstanceOptions>>().Value.DataDirectory);
}
