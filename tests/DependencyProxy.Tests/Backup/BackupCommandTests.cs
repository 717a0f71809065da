using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using DependencyProxy.Backup;
using DependencyProxy.Tests.Cli;
using Microsoft.Data.Sqlite;

namespace DependencyProxy.Tests.Backup;

/// <summary>
/// <c>backup create</c> and <c>backup restore</c> through the real command line, on real files: what a restored data
/// directory holds, and every way a backup or a target can be wrong, each refused with a sentence and nothing left behind.
/// </summary>
public sealed class BackupCommandTests : IDisposable
{
    private readonly CliRunner _source = new();
    private readonly CliRunner _target = new();
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"dp-backup-{Guid.NewGuid():N}", "spaced dir ünïcödé");

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path.GetDirectoryName(_work)))
        {
            Directory.Delete(Path.GetDirectoryName(_work)!, recursive: true);
        }
    }

    private string BackupDirectory => Path.Combine(_work, "backup 1");

    /// <summary>An instance with a group, a user, a token, keys and three content files, backed up into <see cref="BackupDirectory"/>.</summary>
    private async Task<(string Token, string KeyId, string Protected, string[] Digests)> BackedUpInstanceAsync()
    {
        await _source.CreateInstanceAsync();
        (await _source.RunAsync("groups", "create", "acme")).AssertSucceeded();
        (await _source.RunAsync("users", "create", "alice", "--email", "alice@example.com")).AssertSucceeded();
        var token = (await _source.RunAsync("tokens", "create", "alice", "--name", "laptop")).AssertSucceeded().Output.Trim();
        string keyId, protectedText;
        var digests = new List<string>();
        await using (var instance = new BackupInstance(_source.DataDirectory))
        {
            keyId = instance.SigningKeyId();
            protectedText = instance.Protector.Protect("upstream password");
            foreach (var text in new[] { "one", "two", "three" })
            {
                digests.Add((await instance.PutContentAsync(text)).ToString());
            }
        }

        var run = (await _source.RunAsync("backup", "create", BackupDirectory)).AssertSucceeded();
        Assert.Contains("1 groups, 2 users, 1 personal access tokens", run.Output);
        Assert.Contains("3 content files", run.Output);
        return (token, keyId, protectedText, digests.ToArray());
    }

    [Fact]
    public async Task ABackup_RestoredIntoANewDirectory_HasTheGroupsUsersTokensKeysAndContent_InPathsWithSpacesAndUnicode()
    {
        var (token, keyId, protectedText, digests) = await BackedUpInstanceAsync();
        Assert.True(File.Exists(Path.Combine(BackupDirectory, "backup-complete")));
        var manifest = BackupManifest.TryRead(await File.ReadAllBytesAsync(Path.Combine(BackupDirectory, "backup.json")))!;
        Assert.Equal(3, manifest.Counts.ContentLinked); // same filesystem: hard links, no copies
        Assert.Contains(manifest.Files, f => f.Path == "keys/registry-jwt-es256.pem");
        Assert.Contains(manifest.Files, f => f.Path.StartsWith("keys/data-protection/", StringComparison.Ordinal));

        var restoredInto = Path.Combine(_work, "restored data");
        var restore = await _target.RunRawAsync(["backup", "restore", BackupDirectory, $"--DependencyProxy:DataDirectory={restoredInto}"]);
        restore.AssertSucceeded();
        Assert.Contains($"into {restoredInto}", restore.Output);

        var groups = (await _target.RunRawAsync(["groups", "list", $"--DependencyProxy:DataDirectory={restoredInto}"])).AssertSucceeded();
        Assert.Contains("acme", groups.Output);
        await using var restored = new BackupInstance(restoredInto);
        Assert.Equal("alice", await restored.UserOfTokenAsync(token));
        Assert.Null(await restored.UserOfTokenAsync(token[..^1] + (token[^1] == 'a' ? 'b' : 'a')));
        Assert.Equal(keyId, restored.SigningKeyId());
        Assert.Equal("upstream password", restored.Protector.Unprotect(protectedText));
        foreach (var digest in digests)
        {
            var path = restored.PathOf(Oci.Digest.Parse(digest));
            Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(path))));
        }
    }

    [Fact]
    public async Task Create_RefusesADirectoryThatIsNotEmpty_AFile_AndOneInsideTheDataDirectory()
    {
        await _source.CreateInstanceAsync();
        Directory.CreateDirectory(_work);
        var full = Path.Combine(_work, "full");
        Directory.CreateDirectory(full);
        await File.WriteAllTextAsync(Path.Combine(full, "precious.txt"), "keep me");
        var file = Path.Combine(_work, "a file");
        await File.WriteAllTextAsync(file, "keep me too");
        // A link elsewhere that leads into the data directory (outside review): compared as the file system resolves it.
        var link = Path.Combine(_work, "link to data");
        Directory.CreateSymbolicLink(link, _source.DataDirectory);

        foreach (var (target, reason) in new[]
                 {
                     (full, "is not empty"), (file, "is not empty"), (Path.Combine(_source.DataDirectory, "backup"), "inside the data directory"),
                     (Path.Combine(link, "backup"), "inside the data directory"),
                 })
        {
            var run = await _source.RunAsync("backup", "create", target);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains(reason, run.Error);
        }

        Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(full, "precious.txt")));
        Assert.Equal("keep me too", await File.ReadAllTextAsync(file));
        Assert.False(Directory.Exists(Path.Combine(_source.DataDirectory, "backup")));
    }

    [Fact]
    public async Task Create_LeavesADamagedContentFileOut_SaysSo_AndExitsOne_TheRestIsAUsableBackup()
    {
        await _source.CreateInstanceAsync();
        string damaged;
        await using (var instance = new BackupInstance(_source.DataDirectory))
        {
            await instance.PutContentAsync("good");
            damaged = instance.PathOf(await instance.PutContentAsync("will rot"));
        }

        await File.WriteAllTextAsync(damaged, "rotten");
        var run = await _source.RunAsync("backup", "create", BackupDirectory);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{damaged} does not match its digest", run.Error);
        Assert.DoesNotContain("was not in the data directory", run.Error); // damaged, not also missing
        Assert.Contains("1 damaged content files were left out", run.Error);
        (await _target.RunAsync("backup", "restore", BackupDirectory)).AssertSucceeded();
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_target.DataDirectory, "content", "sha256"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Restore_RefusesADataDirectoryThatIsNotEmpty_AndLeavesItAsItWas()
    {
        await BackedUpInstanceAsync();
        await _target.CreateInstanceAsync();
        var before = Directory.EnumerateFileSystemEntries(_target.DataDirectory, "*", SearchOption.AllDirectories).Order().ToList();

        var run = await _target.RunAsync("backup", "restore", BackupDirectory);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"the data directory {_target.DataDirectory} is not empty", run.Error);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(_target.DataDirectory, "*", SearchOption.AllDirectories).Order().ToList());
    }

    public static TheoryData<string, string> Damage() => new()
    {
        { "no marker", "is not a complete backup: it has no backup-complete" },
        { "no manifest", "is not a complete backup: it has no backup.json" },
        { "manifest edited", "backup.json does not match its marker" },
        { "content tampered", "does not match its digest: the backup is damaged" },
        { "content removed", "the backup lists 3 content files but holds 2" },
        { "database tampered", "does not match the SHA-256 in backup.json" },
        { "key removed", "which is not a key file of the backup" },
        { "path escapes", "names '../../../etc/passwd', which is not a key file" },
        { "database forged", "the backup's database is not a sound SQLite database" },
        { "content folder is a link", "is a symbolic link: a backup holds plain files and folders only" },
        { "newer schema", "the backup was made by a newer release" },
        { "key is a link", "is a symbolic link" },
        { "not json", "is not a backup manifest this release reads" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task Restore_RefusesABackupThatIsIncompleteOrDamaged_NamingWhy_AndWritesNothing(string damage, string reason)
    {
        var (_, _, _, digests) = await BackedUpInstanceAsync();
        var content = Path.Combine(BackupDirectory, "content", "sha256", digests[1][7..9], digests[1][7..]);
        var key = Path.Combine(BackupDirectory, "keys", "registry-jwt-es256.pem");
        switch (damage)
        {
            case "no marker": File.Delete(Path.Combine(BackupDirectory, "backup-complete")); break;
            case "no manifest": File.Delete(Path.Combine(BackupDirectory, "backup.json")); break;
            case "manifest edited": EditManifest(m => m["counts"]!["contentFiles"] = 2, remark: false); break;
            case "content tampered": ReplaceFile(content, "tampered"); break;
            case "content removed": File.Delete(content); break;
            case "database tampered": await File.AppendAllTextAsync(Path.Combine(BackupDirectory, "dependency-proxy.db"), "x"); break;
            case "key removed": File.Delete(key); break;
            case "path escapes": EditManifest(m => m["files"]!.AsArray()[1]!["path"] = "../../../etc/passwd"); break;
            case "newer schema": EditManifest(m => m["schema"] = "29991231000000_FromTheFuture"); break;
            case "key is a link": File.Delete(key); File.CreateSymbolicLink(key, "/etc/hostname"); break;
            case "database forged":
                // Rewritten with its manifest and marker recomputed: the hashes agree, SQLite does not.
                var database = Path.Combine(BackupDirectory, "dependency-proxy.db");
                var forged = System.Security.Cryptography.RandomNumberGenerator.GetBytes(8192);
                File.Delete(database);
                await File.WriteAllBytesAsync(database, forged);
                EditManifest(m => m["files"]!.AsArray().First(f => f!["path"]!.GetValue<string>() == "dependency-proxy.db")!["sha256"] =
                    Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(forged)));
                break;
            case "content folder is a link":
                var elsewhere = Path.Combine(_work, "elsewhere");
                Directory.Move(Path.Combine(BackupDirectory, "content"), elsewhere);
                Directory.CreateSymbolicLink(Path.Combine(BackupDirectory, "content"), elsewhere);
                break;
            case "not json": await File.WriteAllTextAsync(Path.Combine(BackupDirectory, "backup.json"), "{\"format\":");
                await File.WriteAllTextAsync(Path.Combine(BackupDirectory, "backup-complete"),
                    BackupManifest.MarkerFor(await File.ReadAllBytesAsync(Path.Combine(BackupDirectory, "backup.json")))); break;
        }

        var run = await _target.RunAsync("backup", "restore", BackupDirectory);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: nothing was restored: ", run.Error);
        Assert.Contains(reason, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.False(Directory.Exists(_target.DataDirectory), "a refused restore left files behind");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Restore_IntoAFolderInsideTheBackup_IsRefused_AndABackupIsTheOwnersAlone()
    {
        await BackedUpInstanceAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(BackupDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(BackupDirectory, "dependency-proxy.db")));

        var inside = Path.Combine(BackupDirectory, "restored");
        var run = await _target.RunRawAsync(["backup", "restore", BackupDirectory, $"--DependencyProxy:DataDirectory={inside}"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is inside the backup", run.Error);
        Assert.False(Directory.Exists(inside));
    }

    [Fact]
    public async Task Restore_OfAMissingDirectory_IsRefused()
    {
        var run = await _target.RunAsync("backup", "restore", Path.Combine(_work, "nowhere"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nowhere does not exist", run.Error);
        Assert.False(Directory.Exists(_target.DataDirectory));
    }

    [Theory]
    [InlineData("create", "")]
    [InlineData("create", "  ")]
    [InlineData("restore", "")]
    [InlineData("restore", " ")]
    public async Task AnEmptyDirectoryArgument_IsAUsageError_NotACrash(string command, string directory)
    {
        await _source.CreateInstanceAsync();
        // create works on an instance; restore into an empty data directory
        var run = await (command == "create" ? _source : _target).RunAsync("backup", command, directory);
        Assert.Equal(DependencyProxy.Cli.ProxyCommandLine.UsageError, run.ExitCode);
        Assert.Contains("the backup directory must not be empty text", run.Error);
    }

    [Fact]
    public async Task Create_IntoADirectoryItCannotWrite_FailsWithASentence_AndLeavesNoBackup()
    {
        await _source.CreateInstanceAsync();
        Directory.CreateDirectory(_work);
        var file = Path.Combine(_work, "a file");
        await File.WriteAllTextAsync(file, "not a directory");

        var run = await _source.RunAsync("backup", "create", Path.Combine(file, "backup"));

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: the backup failed", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Theory]
    [InlineData("create")]
    [InlineData("restore")]
    public async Task OnPostgreSql_BackupExplainsWhatToDoInstead_AndExitsOne(string command)
    {
        var run = await _source.RunAsync("backup", command, BackupDirectory, "--DependencyProxy:Database:Provider=postgresql",
            "--DependencyProxy:Database:ConnectionString=Host=127.0.0.1;Port=9;Database=proxy");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("pg_dump", run.Error);
        Assert.Contains("versioning", run.Error);
        Assert.False(Directory.Exists(BackupDirectory));
    }

    /// <summary>Rewrites backup.json; with <paramref name="remark"/> the marker follows, as someone forging a backup would do.</summary>
    private void EditManifest(Action<JsonNode> edit, bool remark = true)
    {
        var path = Path.Combine(BackupDirectory, "backup.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        edit(manifest);
        var bytes = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
        File.WriteAllBytes(path, bytes);
        if (remark)
        {
            File.WriteAllText(Path.Combine(BackupDirectory, "backup-complete"), BackupManifest.MarkerFor(bytes));
        }
    }

    /// <summary>A hard-linked file is replaced, not written through, so the source instance keeps its good copy.</summary>
    private static void ReplaceFile(string path, string text)
    {
        File.Delete(path);
        File.WriteAllText(path, text);
    }
}
