namespace DependencyProxy.Common;

/// <summary>How this program is started, for every message that tells an operator to run one of its commands.</summary>
internal static class ProgramInvocation
{
    /// <summary>
    /// How the operator starts this program, for messages that tell them to run a command: from a source tree
    /// (<c>bin/…</c> under the project folder) <c>dotnet run --project src/DependencyProxy --</c>, otherwise the
    /// executable or <c>dotnet DependencyProxy.dll</c>.
    /// </summary>
    public static string HowToRun { get; } = Detect();

    private static string Detect()
    {
        var project = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", ".."));
        if (File.Exists(Path.Combine(project, "DependencyProxy.csproj")))
        {
            return $"dotnet run --project {Path.GetRelativePath(Directory.GetCurrentDirectory(), project)} --";
        }

        var process = Environment.ProcessPath;
        return process is not null && Path.GetFileNameWithoutExtension(process) != "dotnet"
            ? process
            : "dotnet " + Path.Combine(AppContext.BaseDirectory, "DependencyProxy.dll");
    }
}
