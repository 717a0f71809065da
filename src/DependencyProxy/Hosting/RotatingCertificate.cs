using System.Net.Security;

namespace DependencyProxy.Hosting;

/// <summary>
/// The PEM certificate of <see cref="PemCertificateFiles"/>, read again when its files change, so a renewed certificate
/// (certbot, cert-manager, an operator's <c>cp</c>) is served without a restart. Kestrel watches certificate files only for
/// endpoints from its configuration section and only when that configuration reloads, which it does not here
/// (<see cref="ConfigurationFiles"/>), and not for <c>--urls</c>: so the files are compared on a TLS handshake, at most once
/// a second. Comparing the bytes, not the times, sees every way of replacing them (in place, by rename, by a symbolic
/// link swapped as Kubernetes does). A pair that does not load (the certificate is written but not yet its key) keeps
/// the one being served and is logged; the next change is tried again.
/// </summary>
internal sealed partial class RotatingCertificate(PemCertificateFiles files, TimeProvider time, ILogger<RotatingCertificate> logger)
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private readonly Lock _reload = new();

    // Read before loading: a change between the two is seen (and loaded) on the next check, never missed.
    private byte[] _seen = files.Contents();
    private volatile LoadedCertificate _current = Loaded(files, time, logger);
    private long _nextCheck;

    /// <summary>The first pair, served even when out of its validity (clients decide; a restart should not fail on it), with a warning.</summary>
    private static LoadedCertificate Loaded(PemCertificateFiles files, TimeProvider time, ILogger logger)
    {
        var loaded = files.Load();
        if (NotValidNow(loaded, time) is { } reason)
        {
            LogNotCurrentlyValid(logger, files.Path, reason);
        }

        return loaded;
    }

    /// <summary>Why clients will refuse the certificate at this time, or null while it is within its validity.</summary>
    private static string? NotValidNow(LoadedCertificate loaded, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return now > loaded.Certificate.NotAfter.ToUniversalTime() ? $"it expired at {loaded.Certificate.NotAfter.ToUniversalTime():u}"
            : now < loaded.Certificate.NotBefore.ToUniversalTime() ? $"it is valid only from {loaded.Certificate.NotBefore.ToUniversalTime():u}"
            : null;
    }

    /// <summary>The context for a new handshake, after a check of the files when the last one is a second old.</summary>
    public SslStreamCertificateContext Current()
    {
        var now = time.GetTimestamp();
        // One handshake checks; the others meanwhile go on with the certificate being served.
        if (now >= Interlocked.Read(ref _nextCheck) && _reload.TryEnter())
        {
            try
            {
                Interlocked.Exchange(ref _nextCheck, now + (long)(CheckEvery.TotalSeconds * time.TimestampFrequency));
                Check();
            }
            finally
            {
                _reload.Exit();
            }
        }

        return _current.Context;
    }

    private void Check()
    {
        byte[] contents;
        try
        {
            contents = files.Contents();
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            LogNotReloaded(logger, files.Describe(unreadable));
            return;
        }

        if (contents.AsSpan().SequenceEqual(_seen))
        {
            return;
        }

        _seen = contents;
        try
        {
            var loaded = files.Load();
            // A replacement that clients would refuse (an old file copied back, a clock-skewed issuer) does not replace one
            // they accept.
            if (NotValidNow(loaded, time) is { } reason && NotValidNow(_current, time) is null)
            {
                LogNotReloaded(logger, $"the new certificate in {files.Path} is not valid now: {reason}");
                return;
            }

            // The previous one is left to the collector: handshakes under way may still be using it.
            _current = loaded;
            LogReloaded(logger, files.Path, loaded.Certificate.SerialNumber, loaded.Certificate.NotAfter);
        }
        catch (Exception unreadable) when (unreadable is System.Security.Cryptography.CryptographicException or ArgumentException
                                               or IOException or UnauthorizedAccessException)
        {
            LogNotReloaded(logger, files.Describe(unreadable));
        }
    }

    [LoggerMessage(EventId = LogEvents.CertificateReloaded, Level = LogLevel.Information,
        Message = "Serving the new certificate from {Path}: serial {Serial}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string path, string serial, DateTime notAfter);

    [LoggerMessage(EventId = LogEvents.CertificateNotCurrentlyValid, Level = LogLevel.Warning,
        Message = "The certificate in {Path} is served, but clients will refuse it: {Reason}")]
    private static partial void LogNotCurrentlyValid(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = LogEvents.CertificateNotReloaded, Level = LogLevel.Warning,
        Message = "The certificate files changed but cannot be served yet, so the previous certificate still is: {Reason}")]
    private static partial void LogNotReloaded(ILogger logger, string reason);
}
