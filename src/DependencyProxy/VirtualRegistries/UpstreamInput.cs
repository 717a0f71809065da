using DependencyProxy.Data;
using DependencyProxy.Upstream;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// An upstream's fields as a request gives them; null means "not given" (a PATCH leaves the field as it is). The
/// password is write-only: it is encrypted when stored and never handed back.
/// </summary>
internal sealed record UpstreamInput(
    string? Name = null, string? Description = null, string? Url = null, string? Username = null, string? Password = null,
    long? CacheValidityHours = null)
{
    /// <summary>Ten years: a longer validity is a typo, and hours times 3,600 must fit the clock's arithmetic.</summary>
    public const int MaxCacheValidityHours = 87_600;

    public bool IsEmpty => this == new UpstreamInput();

    /// <summary>A <c>cache_validity_hours</c> as people read it: 0 is not "0 h" (always asked) but never asked again.</summary>
    public static string DescribeValidity(int hours) => hours == 0 ? "never re-checked" : $"{hours} h";

    /// <summary>
    /// The first problem with the given fields, in GitLab's words where it has some; <paramref name="creating"/> requires
    /// name and url. The URL must name a registry this instance allows (<see cref="UpstreamResolver.TryFindConfigured"/>).
    /// </summary>
    public string? Problem(bool creating, UpstreamResolver resolver)
    {
        if (creating && Name is null)
        {
            return "name is missing";
        }

        if (creating && Url is null)
        {
            return "url is missing";
        }

        if ((Username is null) != (Password is null))
        {
            return "username, password provide all or none of parameters";
        }

        return CheckText("name", Name, FieldLimits.Name, blankAllowed: false)
            ?? CheckText("description", Description, FieldLimits.VirtualRegistryDescription, blankAllowed: true, multiline: true)
            ?? CheckText("url", Url, FieldLimits.Url, blankAllowed: false)
            ?? CheckText("username", Username, FieldLimits.Identity, blankAllowed: true)
            ?? CheckText("password", Password, FieldLimits.Secret, blankAllowed: true)
            ?? (Username is { Length: 0 } != Password is { Length: 0 } ? "username and password are either both empty or both given" : null)
            ?? (CacheValidityHours is < 0 or > MaxCacheValidityHours
                ? $"cache_validity_hours must be between 0 and {MaxCacheValidityHours} (0: a cached tag is never checked again)"
                : null)
            ?? (Url is not null && !resolver.TryFindConfigured(Url, out _, out var refused) ? refused : null);
    }

    private static string? CheckText(string field, string? value, int maximum, bool blankAllowed, bool multiline = false) =>
        value is null ? null
        : !blankAllowed && string.IsNullOrWhiteSpace(value) ? $"{field} is empty"
        : value.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')) ? $"{field} must not contain control characters"
        : FieldLimits.Check(field, value, maximum);
}
