namespace DependencyProxy.Identity;

/// <summary>GitLab's group access levels. Pulling needs guest or more; settings and purging need owner.</summary>
public static class AccessLevels
{
    public const int None = 0;
    public const int Guest = 10;
    public const int Reporter = 20;
    public const int Developer = 30;
    public const int Maintainer = 40;
    public const int Owner = 50;

    public static bool IsValid(int level) => level is Guest or Reporter or Developer or Maintainer or Owner;
}
