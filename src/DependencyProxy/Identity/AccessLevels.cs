namespace DependencyProxy.Identity;

/// <summary>GitLab's group access levels. Pulling needs guest or more; settings and purging need owner.</summary>
internal static class AccessLevels
{
    public const int None = 0;
    public const int Guest = 10;
    public const int Reporter = 20;
    public const int Developer = 30;
    public const int Maintainer = 40;
    public const int Owner = 50;

    /// <summary>The roles by name, lowest first, as the CLI accepts and the pages show them.</summary>
    public static readonly IReadOnlyList<(int Level, string Name)> Named =
        [(Guest, "guest"), (Reporter, "reporter"), (Developer, "developer"), (Maintainer, "maintainer"), (Owner, "owner")];

    /// <summary>One of the five roles. Takes a long so that no caller truncates first (4294967346 is not 50).</summary>
    public static bool IsValid(long level) => level is Guest or Reporter or Developer or Maintainer or Owner;

    public static string NameOf(int level) => Named.FirstOrDefault(n => n.Level == level).Name ?? level.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A role name or its number; null when it is neither.</summary>
    public static int? Parse(string value) =>
        Named.FirstOrDefault(n => n.Name == value.ToLowerInvariant()) is { Name: not null } named ? named.Level
        : int.TryParse(value, out var number) && IsValid(number) ? number : null;
}
