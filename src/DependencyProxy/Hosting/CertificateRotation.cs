namespace DependencyProxy.Hosting;

/// <summary>Puts <see cref="RotatingCertificate"/> under every HTTPS endpoint when the default certificate is a PEM pair.</summary>
internal static class CertificateRotation
{
    /// <summary>
    /// Checks the files first (<see cref="PemCertificateFiles.Problem"/>: a clear reason instead of Kestrel's stack trace),
    /// then hands each handshake the current certificate. Kestrel still loads the same files for its own default
    /// certificate at start; the context set here replaces it for every connection.
    /// </summary>
    public static void UseRotatingCertificate(this WebApplicationBuilder builder)
    {
        if (PemCertificateFiles.MissingKey(builder.Configuration, builder.Environment.ContentRootPath) is { } missing)
        {
            throw new CertificateFilesException(missing);
        }

        if (PemCertificateFiles.From(builder.Configuration, builder.Environment.ContentRootPath) is not { } files)
        {
            return;
        }

        if (files.Problem() is { } problem)
        {
            throw new CertificateFilesException(problem);
        }

        builder.Services.AddSingleton(services => new RotatingCertificate(files, TimeProvider.System,
            services.GetRequiredService<ILogger<RotatingCertificate>>()));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            var certificate = kestrel.ApplicationServices.GetRequiredService<RotatingCertificate>();
            var before = https.OnAuthenticate;
            https.OnAuthenticate = (connection, tls) =>
            {
                before?.Invoke(connection, tls);
                tls.ServerCertificate = null;
                tls.ServerCertificateContext = certificate.Current();
            };
        }));
    }
}
