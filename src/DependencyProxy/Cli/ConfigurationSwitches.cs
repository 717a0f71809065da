using System.Collections;
using System.Reflection;
using DependencyProxy.Configuration;
using DependencyProxy.Hosting;

namespace DependencyProxy.Cli;

/// <summary>The command line split into configuration switches (as ASP.NET Core reads them) and everything else.</summary>
/// <param name="Switches">The configuration switches, in ASP.NET Core's form, for <c>AddCommandLine</c>.</param>
/// <param name="Rest">The command, its arguments and options, for System.CommandLine.</param>
/// <param name="Problem">Why the command line cannot be used, naming the switch; null when it can.</param>
internal sealed record SplitCommandLine(IReadOnlyList<string> Switches, IReadOnlyList<string> Rest, string? Problem);

/// <summary>
/// Finds the configuration switches on a command line: <c>--urls http://…</c>, <c>--DependencyProxy:DataDirectory=/srv</c>,
/// <c>/Kestrel:… value</c>, <c>Logging:LogLevel:Default=Debug</c> — the forms ASP.NET Core's command-line configuration
/// accepts. Only keys this program (or ASP.NET Core) reads count as switches; under <c>DependencyProxy:</c> the key is checked
/// against the options the server binds (each <see cref="OptionsSection"/>), so a typo such as
/// <c>--DependencyProxy:DataDirectry</c> is an error instead of a silently ignored setting (which would start a new, empty
/// instance elsewhere).
/// </summary>
internal static class ConfigurationSwitches
{
    /// <summary>Top-level keys ASP.NET Core's host, Kestrel and logging read besides <see cref="OptionsSections.Root"/>.</summary>
    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "http_ports", "https_ports", "https_port", "environment", "contentRoot", "webroot", "applicationName",
        "AllowedHosts", "Kestrel", "Logging", "detailedErrors", "shutdownTimeoutSeconds", "suppressStatusMessages",
        "hostBuilder", "preventHostingStartup", "hostingStartupAssemblies", "hostingStartupExcludeAssemblies",
    };

    public static SplitCommandLine Split(IReadOnlyList<string> args)
    {
        var switches = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var prefix = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('/') ? 1 : 0;
            var equals = arg.IndexOf('=', prefix);
            var key = equals < 0 ? arg[prefix..] : arg[prefix..equals];
            if (!IsConfigurationKey(key) || (prefix == 0 && equals < 0))
            {
                if (prefix == 2 && key.StartsWith(OptionsSections.Root + ":", StringComparison.OrdinalIgnoreCase))
                {
                    return new SplitCommandLine(switches, rest, $"unknown option --{key}: no such configuration key (see the README's table)");
                }

                rest.Add(arg);
                continue;
            }

            if (equals >= 0)
            {
                switches.Add("--" + arg[prefix..]);
            }
            else if (i + 1 < args.Count)
            {
                switches.Add($"--{key}={args[++i]}");
            }
            else
            {
                return new SplitCommandLine(switches, rest, $"{arg} needs a value: {arg}=VALUE or {arg} VALUE");
            }
        }

        return new SplitCommandLine(switches, rest, null);
    }

    /// <summary>Whether a key (<c>urls</c>, <c>DependencyProxy:Storage:S3:Bucket</c>) is one the server reads.</summary>
    public static bool IsConfigurationKey(string key)
    {
        var segments = key.Split(':');
        if (segments.Any(string.IsNullOrEmpty))
        {
            return false;
        }

        return HostKeys.Contains(segments[0]) || Sections.Value.Any(section =>
        {
            var path = section.Path.Split(':');
            return segments.Length >= path.Length
                && path.Select((part, i) => part.Equals(segments[i], StringComparison.OrdinalIgnoreCase)).All(same => same)
                && Fits(section.OptionsType, segments.AsSpan(path.Length));
        });
    }

    /// <summary>The sections the server binds, read from its own registration, so this list cannot fall behind it.</summary>
    private static readonly Lazy<IReadOnlyList<OptionsSection>> Sections = new(() =>
        [.. new ServiceCollection().AddProxyServer().Select(service => service.ImplementationInstance).OfType<OptionsSection>()]);

    /// <summary>Walks the options type as the configuration binder does: properties, dictionary names, list indexes.</summary>
    private static bool Fits(Type type, ReadOnlySpan<string> segments)
    {
        if (segments.IsEmpty)
        {
            return true;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return Fits(type.GetGenericArguments()[1], segments[1..]);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return int.TryParse(segments[0], out var index) && index >= 0 && Fits(type.GetGenericArguments()[0], segments[1..]);
        }

        if (type == typeof(string) || type.IsPrimitive || type.IsEnum || typeof(IEnumerable).IsAssignableFrom(type) || !type.IsClass)
        {
            return false; // a plain value has no keys below it
        }

        var property = type.GetProperty(segments[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is { CanWrite: true } && Fits(property.PropertyType, segments[1..]);
    }
}
