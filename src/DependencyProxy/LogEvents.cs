namespace DependencyProxy;

/// <summary>Event ids for every log message, kept in one place so they stay unique.</summary>
internal static class LogEvents
{
    public const int UpstreamTimeout = 1001;
    public const int UpstreamUnreachable = 1002;
    public const int CircuitOpened = 1003;
    public const int CircuitClosed = 1004;
    public const int RateLimitSeen = 1005;
    public const int UpstreamRealmRefused = 1006;
    public const int UpstreamRedirectRefused = 1007;
    public const int UpstreamAddressRefused = 1008;
    public const int CiIssuerKeysFetched = 1201;
    public const int CiIssuerKeysNotFetched = 1202;
    public const int CiTokenRefused = 1203;
    public const int CiTokenAccepted = 1204;
    public const int ServedStaleManifest = 2001;
    public const int ManifestDigestMismatch = 2002;
    public const int Schema1PassedThrough = 2003;
    public const int ServedStaleListing = 2004;
    public const int VirtualUpstreamNotAllowed = 2101;
    public const int BlobFillStarted = 3001;
    public const int BlobFillCompleted = 3002;
    public const int BlobFillFailed = 3003;
    public const int BlobStreamAborted = 3004;
    public const int ClientDisconnected = 3005;
    public const int TempFilesCleaned = 4001;
    public const int ReadTimesFlushFailed = 4002;
    public const int DatabaseReady = 4003;
    public const int DatabaseUpgraded = 4004;
    public const int RootCreated = 5001;
    public const int SingleSignOnUserCreated = 5101;
    public const int SingleSignOnLinked = 5102;
    public const int SingleSignOnRefused = 5103;
    public const int SingleSignOnFailed = 5104;
    public const int GroupSyncChanged = 5105;
    public const int GroupSyncUnknownGroup = 5106;
    public const int SingleSignOnInvalidEmail = 5107;
    public const int GarbageCollected = 6001;
    public const int CleanupRan = 6002;
    public const int CleanupFailed = 6003;
    public const int QuotaEvicted = 6004;
    public const int CleanupSkipped = 6005;
    public const int VirtualRegistryCleanupRan = 6006;
    public const int UploadAbortFailed = 7001;
    public const int RemoteFillResumed = 8001;
    public const int RemoteFillTakenOver = 8002;
    public const int RemoteFillGaveUp = 8003;
    public const int ConnectionLimitLowered = 9001;
    public const int CertificateReloaded = 9101;
    public const int CertificateNotReloaded = 9102;
    public const int CertificateNotCurrentlyValid = 9103;
    public const int SyncRuleRunFailed = 9351;
    public const int SyncSchedulerFailed = 9352;
    public const int SyncSchedulerSkipped = 9353;
    public const int SyncRulePinned = 9354;
}
