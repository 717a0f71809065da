using DependencyProxy.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Limits;

/// <summary>Applies <see cref="LimitsOptions"/> to Kestrel and to form reading (the web pages' forms and the API's).</summary>
internal static partial class RequestLimits
{
    /// <summary>Form fields are short: the longest one accepted anywhere is a group description (2,000 characters).</summary>
    public const int MaxFormValueBytes = 64 * 1024;

    public const int MaxFormValues = 64;

    /// <summary>The limits' settings alone: the CLI checks them too, so a command and the server agree on what is valid.</summary>
    public static IServiceCollection AddLimitsOptions(this IServiceCollection services)
    {
        services.AddOptionsSection<LimitsOptions>(LimitsOptions.Section).ValidateWith(limits => limits.Validate());
        return services;
    }

    /// <summary>Applies the limits to Kestrel and to form reading (their settings come from <see cref="AddLimitsOptions"/>).</summary>
    public static IServiceCollection AddRequestLimits(this IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        // Registered after Kestrel's own socket transport, so Kestrel uses this one (it tries the last first).
        services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory, AcceptGate>();
        // Kestrel counts every body's bytes; these also hold in process (TestServer) and bound a form's parts.
        services.AddOptions<FormOptions>().Configure<IOptions<LimitsOptions>>((form, limits) =>
        {
            var body = limits.Value.MaxRequestBodyBytes;
            form.ValueLengthLimit = MaxFormValueBytes;
            form.ValueCountLimit = MaxFormValues;
            form.KeyLengthLimit = 1024;
            form.MultipartBodyLengthLimit = body;
            form.BufferBodyLengthLimit = body;
        });
        return services;
    }

    private sealed partial class KestrelLimits(IOptions<LimitsOptions> options, ILogger<KestrelLimits> logger) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            var limits = options.Value;
            var openFiles = OpenFilesLimit.Current();
            var inUse = OpenFilesLimit.InUse();
            var allowed = ConnectionBudget.Allowed(limits.MaxConcurrentConnections, openFiles, inUse);
            if (allowed < limits.MaxConcurrentConnections)
            {
                // The default lowered on a machine with a modest limit is worth knowing, not a warning at every start;
                // a limit the operator chose and cannot have is.
                var level = limits.MaxConcurrentConnections == LimitsOptions.DefaultMaxConcurrentConnections ? LogLevel.Information : LogLevel.Warning;
                LogConnectionsLowered(logger, level, limits.MaxConcurrentConnections, openFiles!.Value, inUse, allowed, ConnectionBudget.Reserve);
            }

            kestrel.Limits.MaxConcurrentConnections = allowed;
            kestrel.Limits.MaxConcurrentUpgradedConnections = allowed;
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            kestrel.Limits.MinResponseDataRate = new MinDataRate(240, limits.ResponseStallTimeout);
        }

        [LoggerMessage(EventId = LogEvents.ConnectionLimitLowered,
            Message = "DependencyProxy:Limits:MaxConcurrentConnections is {Configured}, but the open-files limit of {OpenFiles}, with {InUse} open " +
                "at start, leaves room for {Allowed} connections (two descriptors each, {Reserve} more kept for assemblies loaded later, the " +
                "database, spool files and upstream sockets): connections past them are refused. Raise the limit (ulimit -n, systemd's " +
                "LimitNOFILE) to allow more.")]
        private static partial void LogConnectionsLowered(ILogger logger, LogLevel level, int configured, long openFiles, int inUse, int allowed, int reserve);
    }
}
