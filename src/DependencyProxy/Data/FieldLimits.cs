namespace DependencyProxy.Data;

/// <summary>
/// The longest text each field may hold, in characters: GitLab's limits where it has one. The REST API, the pages and
/// the CLI refuse a longer value with <see cref="TooLong"/>, naming the field, before anything is stored; the database
/// columns are as long (PostgreSQL would otherwise refuse the row with an error instead of a message).
/// </summary>
internal static class FieldLimits
{
    /// <summary>Group, user and token names (GitLab: 255).</summary>
    public const int Name = 255;

    /// <summary>Usernames of people and deploy tokens (GitLab: 255).</summary>
    public const int Username = 255;

    /// <summary>Email addresses (GitLab's column: 255).</summary>
    public const int Email = 255;

    /// <summary>Group descriptions: the column is 2,000 (GitLab allows 2,000 for projects, 255 for groups).</summary>
    public const int Description = 2000;

    /// <summary>Virtual registry and upstream descriptions (GitLab: 1,024).</summary>
    public const int VirtualRegistryDescription = 1024;

    /// <summary>Upstream URLs of virtual registries (GitLab: 255).</summary>
    public const int Url = 255;

    /// <summary>Passwords (GitLab, through Devise: 128).</summary>
    public const int Password = 128;

    /// <summary>The account name for an upstream registry (GitLab's dependency proxy identity: 255).</summary>
    public const int Identity = 255;

    /// <summary>An upstream registry's password or token; registries' tokens are far shorter.</summary>
    public const int Secret = 1024;

    /// <summary>Webhook URLs (GitLab allows far longer; a receiver's URL is short).</summary>
    public const int HookUrl = 2048;

    /// <summary>A webhook's signing token.</summary>
    public const int HookToken = 512;

    /// <summary>A CI identity trust rule's claims, as the JSON text stored (at most 20 claims of 255-character names and globs).</summary>
    public const int CiTrustClaims = 12000;

    /// <summary>Any other text the REST API takes: search terms, paths, usernames to filter by, list items, dates.</summary>
    public const int Other = 255;

    /// <summary>The maximum for a REST API parameter by its name.</summary>
    public static int ForParameter(string name) => name switch
    {
        "description" => Description,
        "password" => Password,
        "secret" => Secret,
        _ => Other,
    };

    /// <summary>GitLab's wording: <c>description is too long (maximum is 2000 characters)</c>.</summary>
    public static string TooLong(string field, int maximum) => $"{field} is too long (maximum is {maximum} characters)";

    /// <summary><see cref="TooLong"/> when <paramref name="value"/> is longer than <paramref name="maximum"/>, else null.</summary>
    public static string? Check(string field, string? value, int maximum) => Exceeds(value, maximum) ? TooLong(field, maximum) : null;

    /// <summary>
    /// Counted in characters (Unicode code points), as GitLab and PostgreSQL's varchar count them, not in UTF-16 units:
    /// 2,000 emoji are a 2,000-character description.
    /// </summary>
    public static bool Exceeds(string? value, int maximum) =>
        value is not null && value.Length > maximum && value.EnumerateRunes().Count() > maximum;
}
