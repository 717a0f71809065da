using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Configuration;

/// <summary>
/// <c>DependencyProxy:ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> are believed. Empty (the default) believes no one: any client could otherwise send
/// <c>X-Forwarded-For</c> to pass as another address (and escape its login throttle) or claim https.
/// </summary>
internal sealed class ForwardedHeadersSettings
{
    /// <summary>Addresses (<c>10.0.0.5</c>) or networks (<c>10.0.0.0/24</c>) of the proxies in front of this server.</summary>
    public List<string> KnownProxies { get; set; } = [];

    internal static IEnumerable<string> Validate(ForwardedHeadersSettings settings)
    {
        foreach (var entry in settings.KnownProxies)
        {
            if (!IPAddress.TryParse(entry, out _) && !System.Net.IPNetwork.TryParse(entry, out _))
            {
                yield return $"DependencyProxy:ForwardedHeaders:KnownProxies: '{entry}' is neither an IP address nor a network like 10.0.0.0/24.";
            }
        }
    }
}

internal static class TrustedProxies
{
    public const string Section = OptionsSections.Root + ":ForwardedHeaders";

    /// <summary>
    /// A single value (<c>--DependencyProxy:ForwardedHeaders:KnownProxies=10.0.0.5,10.0.0.6</c>) is taken as a
    /// comma-separated list as well as the indexed form (<c>KnownProxies:0</c>), which is all the binder reads.
    /// </summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptionsSection<ForwardedHeadersSettings>(Section).ValidateWith(ForwardedHeadersSettings.Validate)
            .PostConfigure<IConfiguration>((options, configuration) =>
        {
            var single = configuration[$"{Section}:KnownProxies"];
            var listed = options.KnownProxies;
            options.KnownProxies = [.. listed.Append(single ?? "")
                .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Distinct()];
        });
        return services;
    }

    /// <summary>
    /// First middleware: behind a configured proxy the client's address and scheme come from its headers, read from
    /// the right for as long as each hop is itself a known proxy, so a client cannot prepend an address of its choosing.
    /// </summary>
    public static void UseTrustedForwardedHeaders(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value;
        // ASP.NET Core's middleware believes EVERY peer when its lists are empty (and loopback by default): with no
        // proxy configured it is not added at all, so the peer's own address and scheme always count.
        if (settings.KnownProxies.Count == 0)
        {
            return;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the obsolete list is still consulted: it must not keep its loopback default
        options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
        foreach (var entry in settings.KnownProxies)
        {
            if (IPAddress.TryParse(entry, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
            }
        }

        app.UseForwardedHeaders(options);
    }
}
