using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Upstream;
using DependencyProxy.VirtualRegistries;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web.Pages.VirtualRegistries;

/// <summary>
/// What the virtual registry pages share: the top-level group a registry or upstream belongs to and the caller's role
/// in it, under the REST API's rules (<see cref="VirtualRegistryRoles"/>): a group the caller may not know exists is
/// 404, a visible one where they are no member 403; guests look, maintainers manage, owners delete registries.
/// </summary>
internal abstract class VirtualRegistryPageModel : SignedInPageModel
{
    public const string ListPath = "/groups/-/virtual_registries/";
    public const string RegistryPath = "/groups/-/virtual_registries/container/registries/";
    public const string UpstreamPath = "/groups/-/virtual_registries/container/upstreams/";

    public Group Group { get; private set; } = null!;

    public int AccessLevel { get; private set; }

    public bool CanManage => AccessLevel >= VirtualRegistryRoles.Manage;

    public bool CanDeleteRegistry => AccessLevel >= VirtualRegistryRoles.DeleteRegistry;

    /// <summary>
    /// The upstream URLs this instance allows (Docker Hub's and each enabled <c>DependencyProxy:Upstreams</c> entry's),
    /// offered in the URL field; the service checks whatever is typed (<see cref="Upstream.UpstreamResolver.TryFindConfigured"/>).
    /// </summary>
    public IReadOnlyList<string> AllowedUrls
    {
        get
        {
            var options = Service<IOptions<UpstreamRegistriesOptions>>().Value;
            return [options.DockerHub.Url, .. options.Upstreams.Values.Where(u => u.Enabled && !string.IsNullOrEmpty(u.Url)).Select(u => u.Url).Order(StringComparer.Ordinal)];
        }
    }

    protected T Service<T>() where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();

    /// <summary>Null when the caller may read things of the group <paramref name="groupId"/>; otherwise 404 or 403.</summary>
    protected async Task<IActionResult?> AdmitAsync(long? groupId)
    {
        var group = groupId is { } id ? await Service<GroupDirectory>().FindAsync(id, HttpContext.RequestAborted) : null;
        if (group is null)
        {
            return NotFound();
        }

        var level = await Service<GroupAccess>().LevelAsync(Caller, group, HttpContext.RequestAborted);
        if (!GroupAccess.CanSee(group, level))
        {
            return NotFound();
        }

        (Group, AccessLevel) = (group, level);
        if (level >= VirtualRegistryRoles.Read)
        {
            return null;
        }

        // As the REST API: a public group's registries are read by its members; everyone else may only pull from them
        // (docs/registry-api.md). The caller is signed in (anonymous ones were sent to sign in), so say why, not "log in".
        ErrorModel.Explain(HttpContext, $"You are signed in as {Caller.Name}, but you are not a member of the group " +
            $"'{group.FullPath}': its virtual registries are shown to its members (guest and up). Ask an owner of the group to add you. " +
            "The group is public, so its virtual registries can still be pulled from without being a member.");
        return StatusCode(StatusCodes.Status403Forbidden);
    }

    /// <summary>403 unless the caller manages the group's virtual registries (maintainers and owners).</summary>
    protected IActionResult? RequireManage() => CanManage ? null : StatusCode(StatusCodes.Status403Forbidden);

    /// <summary>A refused change shown above the forms, with the API's status and its message as a sentence.</summary>
    protected PageResult Refuse(Refusal refusal) => Refuse(Sentence(refusal.Kind == RefusalKind.NotFound ? $"{refusal.Message} not found" : refusal.Message ?? "not allowed"),
        refusal.Kind switch
        {
            RefusalKind.NotFound => StatusCodes.Status404NotFound,
            RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
            RefusalKind.Conflict => StatusCodes.Status409Conflict,
            RefusalKind.TooMany => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status400BadRequest,
        });

    /// <summary>
    /// The service speaks GitLab's API ("url is missing"); the page shows a sentence that names the field by its label
    /// ("URL is missing.").
    /// </summary>
    public static string Sentence(string text)
    {
        foreach (var (field, label) in FieldLabels)
        {
            if (text.StartsWith(field + " ", StringComparison.Ordinal))
            {
                text = label + text[field.Length..];
                break;
            }
        }

        return text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + (text.EndsWith('.') ? "" : ".");
    }

    private static readonly (string Field, string Label)[] FieldLabels = [("cache_validity_hours", "Cache validity (hours)"), ("url", "URL")];

    /// <summary>A number typed in a form: digits only (an optional '-' so that "-1" is refused as out of range), else null.</summary>
    protected static long? ParseNumber(string? text) =>
        text is { Length: > 0 and <= 18 } && (text[0] == '-' ? text[1..] : text) is { Length: > 0 } digits && digits.All(char.IsAsciiDigit)
            ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>Empty form fields are "not given" to the service; text is kept as typed otherwise.</summary>
    protected static string? Given(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
