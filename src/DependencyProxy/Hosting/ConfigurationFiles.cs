using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace DependencyProxy.Hosting;

/// <summary>
/// The configuration files, in one order for the server and the commands (a later one wins, and environment variables
/// and the command line come after all of them):
/// <list type="number">
/// <item>the <c>appsettings.json</c> shipped beside the binary (<see cref="AppContext.BaseDirectory"/>): the defaults, found
/// wherever the process starts;</item>
/// <item><c>appsettings.json</c> (and <c>appsettings.{Environment}.json</c> for the server) in the working directory, as
/// ASP.NET Core reads them: a source checkout's or a developer's overrides;</item>
/// <item>the system file, <c>/etc/dependency-proxy/appsettings.json</c> when it exists, or the file that
/// <c>DEPENDENCY_PROXY_CONFIG_FILE</c> names (then it must exist).</item>
/// </list>
/// None is watched for changes: the options are read once at start, and a watcher on a working directory of <c>/</c>
/// (systemd's) walked the whole file system with inotify, which cost seconds before the first answer. Kestrel's
/// certificate files are watched on their own (docs/deployment.md).
/// </summary>
internal static class ConfigurationFiles
{
    public const string SystemFileVariable = "DEPENDENCY_PROXY_CONFIG_FILE";

    public const string DefaultSystemFile = "/etc/dependency-proxy/appsettings.json";

    private const string FileName = "appsettings.json";

    /// <summary>The system file and whether the operator named it (a named file that is missing is an error).</summary>
    public static (string Path, bool Named) SystemFile() =>
        Environment.GetEnvironmentVariable(SystemFileVariable) is { Length: > 0 } named
            ? (Path.GetFullPath(named), true)
            : (DefaultSystemFile, false);

    /// <summary>Why the configuration files cannot be read as given, or null.</summary>
    public static string? Problem()
    {
        var (path, named) = SystemFile();
        if (named && !File.Exists(path))
        {
            return $"{SystemFileVariable} names {path}, which does not exist (unset it to read {DefaultSystemFile} when present)";
        }

        // A file made private to keep a secret (chmod 600) but owned by another user than the one running: the JSON
        // reader's answer would be an unhandled exception.
        foreach (var file in new[] { Path.Combine(AppContext.BaseDirectory, FileName), Path.Combine(Directory.GetCurrentDirectory(), FileName), path })
        {
            try
            {
                if (File.Exists(file))
                {
                    using var readable = File.OpenRead(file);
                }
            }
            catch (Exception unreadable) when (unreadable is UnauthorizedAccessException or IOException)
            {
                return $"the configuration file {file} cannot be read by the user {Environment.UserName} ({unreadable.Message})";
            }
        }

        return null;
    }

    /// <summary>The files in their order, none watched; <paramref name="environment"/> adds the working directory's appsettings.{Environment}.json.</summary>
    public static IEnumerable<JsonConfigurationSource> InOrder(string? environment)
    {
        yield return Source(AppContext.BaseDirectory, FileName);
        var workingDirectory = Directory.GetCurrentDirectory();
        // From the application folder itself the shipped file was read already.
        if (!SameDirectory(workingDirectory, AppContext.BaseDirectory))
        {
            yield return Source(workingDirectory, FileName);
        }

        if (environment is not null)
        {
            yield return Source(workingDirectory, $"appsettings.{environment}.json");
        }

        var (system, named) = SystemFile();
        yield return Source(Path.GetDirectoryName(system)!, Path.GetFileName(system), optional: !named);
    }

    /// <summary>A JSON file as a source. Its path is relative to its own provider: an absolute path would be looked up under the provider's root.</summary>
    private static JsonConfigurationSource Source(string directory, string file, bool optional = true) => new()
    {
        Path = file,
        Optional = optional,
        ReloadOnChange = false,
        // A provider needs its folder to exist; a missing /etc/dependency-proxy is simply no file.
        FileProvider = Directory.Exists(directory) ? new PhysicalFileProvider(directory) : new NullFileProvider(),
    };

    private static bool SameDirectory(string a, string b) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)) == Path.TrimEndingDirectorySeparator(Path.GetFullPath(b));
}
