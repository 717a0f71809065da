namespace DependencyProxy.Common;

/// <summary>How this program is started, for every message that tells an operator to run one of its commands.</summary>
internal static class ProgramInvocation
{
    /// <summary>
    /// How the operator starts this program, for messages that tell them to run a command: the installed command's bare
    /// name (<c>dependency-proxy</c>) when PATH finds this very executable, otherwise its full path, or
    /// <c>dotnet …/DependencyProxy.dll</c>; from a source tree (<c>bin/…</c> under the project folder)
    /// <c>dotnet run --project src/DependencyProxy --</c>.
    /// </summary>
    public static string HowToRun { get; } = Detect(Environment.ProcessPath, AppContext.BaseDirectory, Environment.GetEnvironmentVariable("PATH"));

    internal static string Detect(string? processPath, string baseDirectory, string? searchPath)
    {
        var project = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", ".."));
        if (File.Exists(Path.Combine(project, "DependencyProxy.csproj")))
        {
            return $"dotnet run --project {ShellWord(Path.GetRelativePath(Directory.GetCurrentDirectory(), project))} --";
        }

        if (processPath is null || Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return "dotnet " + ShellWord(Path.Combine(baseDirectory, "DependencyProxy.dll"));
        }

        // The executable's own name, or the installed command's name linked to it (/usr/local/bin/dependency-proxy → …/DependencyProxy).
        foreach (var name in new[] { Path.GetFileName(processPath), InstalledName })
        {
            if (FoundOnPath(name, searchPath) is { } found && SameFile(found, processPath))
            {
                return name;
            }
        }

        return ShellWord(processPath);
    }

    /// <summary>The name the release installs the program under.</summary>
    public const string InstalledName = "dependency-proxy";

    /// <summary>
    /// <paramref name="value"/> as one word a POSIX shell reads back unchanged (single-quoted when it holds anything but
    /// letters, digits and <c>/._:=@%+,-</c>), so a suggested command with a path like "/srv/proxy data" can be pasted.
    /// </summary>
    public static string ShellWord(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "/._:=@%+,-".Contains(c))
            ? value
            : "'" + value.Replace("'", "'\\''") + "'";

    /// <summary>The first PATH entry holding <paramref name="name"/>, as a shell would find it.</summary>
    private static string? FoundOnPath(string name, string? searchPath) =>
        (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(Path.IsPathFullyQualified)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The same file, also through a symbolic link (/usr/local/bin/dependency-proxy → /opt/…).</summary>
    private static bool SameFile(string a, string b) => Resolve(a) == Resolve(b);

    private static string Resolve(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
}
