using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DependencyProxy.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Hosting;

/// <summary>The HTTPS certificate is read again when its files change, at most once a second, and a half-written pair is not served.</summary>
public sealed class RotatingCertificateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dp-tls-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private PemCertificateFiles Files => new(Path.Combine(_folder, "tls.crt"), Path.Combine(_folder, "tls.key"), null);

    private static (string Certificate, string Key) SelfSigned(int serial, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddHours(1);
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key),
            until.AddDays(-30), until, new BigInteger(serial).ToByteArray(true, true));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private void Write((string Certificate, string Key) pair, bool certificate = true, bool key = true)
    {
        if (key)
        {
            File.WriteAllText(Files.KeyPath, pair.Key);
        }

        if (certificate)
        {
            File.WriteAllText(Files.Path, pair.Certificate);
        }
    }

    private static string Serial(RotatingCertificate rotating) => rotating.Current().TargetCertificate.SerialNumber;

    [Fact]
    public void NewFiles_AreServedFromTheNextCheck_NotBeforeASecondHasPassed()
    {
        Write(SelfSigned(0x11));
        var rotating = new RotatingCertificate(Files, _time, NullLogger<RotatingCertificate>.Instance);
        Assert.Equal("11", Serial(rotating));

        // That handshake checked the files: the next check is a second later.
        Write(SelfSigned(0x22));
        Assert.Equal("11", Serial(rotating));
        _time.Advance(TimeSpan.FromMilliseconds(1100));
        Assert.Equal("22", Serial(rotating));
        Write(SelfSigned(0x33));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal("22", Serial(rotating));
        _time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal("33", Serial(rotating));
    }

    [Fact]
    public void AHalfWrittenPair_OrMissingFiles_KeepTheCertificateBeingServed_UntilThePairIsWhole()
    {
        Write(SelfSigned(0x11));
        var rotating = new RotatingCertificate(Files, _time, NullLogger<RotatingCertificate>.Instance);
        var renewed = SelfSigned(0x44);

        Write(renewed, key: false);
        Assert.Equal("11", Serial(rotating));
        File.Delete(Files.KeyPath);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("11", Serial(rotating));
        File.WriteAllText(Files.KeyPath, "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("11", Serial(rotating));

        Write(renewed, certificate: false);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("44", Serial(rotating));
    }

    [Theory]
    [InlineData("missing key", "KeyPath names")]
    [InlineData("other key", "does not match the certificate")]
    [InlineData("empty key", "holds no PEM private key")]
    [InlineData("key as certificate", "holds no PEM certificate")]
    public void FilesThatCannotBeServed_AreNamedWithTheirSetting(string fault, string reason)
    {
        var pair = SelfSigned(1);
        Write(fault switch
        {
            "other key" => (pair.Certificate, SelfSigned(2).Key),
            "empty key" => (pair.Certificate, ""),
            "key as certificate" => (pair.Key, pair.Key),
            _ => pair,
        });
        if (fault == "missing key")
        {
            File.Delete(Files.KeyPath);
        }

        var problem = Files.Problem();
        Assert.NotNull(problem);
        Assert.Contains(reason, problem);
        Assert.Contains(fault == "key as certificate" ? Files.Path : Files.KeyPath, problem);
    }

    [Fact]
    public void AMatchingPair_HasNoProblem()
    {
        Write(SelfSigned(1));
        Assert.Null(Files.Problem());
    }

    [Fact]
    public void AnExpiredReplacement_DoesNotReplaceAValidCertificate_AndAnExpiredFirstOneIsServedWithAWarning()
    {
        var expired = DateTimeOffset.UtcNow.AddDays(-1);
        Write(SelfSigned(0x11));
        using var logs = new Infrastructure.CapturedLogs();
        var rotating = new RotatingCertificate(Files, _time, new Logger<RotatingCertificate>(new LoggerFactory([logs])));
        Assert.Equal(0, logs.Count(DependencyProxy.LogEvents.CertificateNotCurrentlyValid));

        Write(SelfSigned(0x22, notAfter: expired));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("11", Serial(rotating));
        Assert.Contains(logs.Lines, l => l.Contains("is not valid now: it expired at", StringComparison.Ordinal));

        // Served anyway when it is all there is: clients decide, and a restart must not fail on a clock.
        var started = new RotatingCertificate(Files, _time, new Logger<RotatingCertificate>(new LoggerFactory([logs])));
        Assert.Equal("22", Serial(started));
        Assert.Equal(1, logs.Count(DependencyProxy.LogEvents.CertificateNotCurrentlyValid));
        Write(SelfSigned(0x33, notAfter: expired.AddHours(1)));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("33", Serial(started));
    }

    [Fact]
    public void APemCertificateWithoutItsKeySetting_IsNamed_APfxAloneIsNot()
    {
        Write(SelfSigned(1));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{PemCertificateFiles.Section}:Path"] = "tls.crt",
        }).Build();
        var problem = PemCertificateFiles.MissingKey(configuration, _folder);
        Assert.Contains("KeyPath, its private key's file, is not set", problem);
        Assert.Contains(Files.Path, problem);

        File.WriteAllBytes(Path.Combine(_folder, "tls.pfx"), [0x30, 0x82, 0x01]);
        configuration[$"{PemCertificateFiles.Section}:Path"] = "tls.pfx";
        Assert.Null(PemCertificateFiles.MissingKey(configuration, _folder));
        configuration[$"{PemCertificateFiles.Section}:Path"] = "tls.crt";
        configuration[$"{PemCertificateFiles.Section}:KeyPath"] = "tls.key";
        Assert.Null(PemCertificateFiles.MissingKey(configuration, _folder));
    }
}
