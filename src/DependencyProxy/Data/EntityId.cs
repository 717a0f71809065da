namespace DependencyProxy.Data;

/// <summary>A row id as a URL or a form carries it.</summary>
internal static class EntityId
{
    /// <summary>
    /// Only plain positive decimal ids: "1e3", "+1", " 1", "0x10" or twenty digits name no row (and never reach the
    /// database as something else).
    /// </summary>
    public static bool TryParse(string? text, out long id)
    {
        id = 0;
        return text is { Length: > 0 and <= 19 } && text.All(char.IsAsciiDigit) && long.TryParse(text, out id) && id > 0;
    }
}
