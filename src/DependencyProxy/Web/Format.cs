using System.Globalization;

namespace DependencyProxy.Web;

/// <summary>How the pages write times: short, human, and exact on hover (sizes: <see cref="Common.ByteSize"/>).</summary>
internal static class Format
{
    public static string Ago(DateTime? utc, DateTime now)
    {
        if (utc is not { } then)
        {
            return "never";
        }

        var elapsed = now - then;
        return elapsed.TotalSeconds < 60 ? "just now"
            : elapsed.TotalMinutes < 60 ? Plural((int)elapsed.TotalMinutes, "minute") + " ago"
            : elapsed.TotalHours < 24 ? Plural((int)elapsed.TotalHours, "hour") + " ago"
            : elapsed.TotalDays < 60 ? Plural((int)elapsed.TotalDays, "day") + " ago"
            : Plural((int)(elapsed.TotalDays / 30), "month") + " ago";
    }

    public static string Exact(DateTime? utc) => utc?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "";

    public static string ShortDigest(string digest) => digest.Contains(':') ? digest[..Math.Min(digest.Length, digest.IndexOf(':') + 13)] : digest;

    /// <summary>How an entry reads: <c>library/alpine:3.19</c>, or <c>library/alpine@sha256:0123456789ab</c> when pulled by digest.</summary>
    public static string ImageName(Data.CachedManifest entry) =>
        Caching.CachedImages.IsDigest(entry.Reference) ? $"{entry.Repository}@{ShortDigest(entry.Reference)}" : $"{entry.Repository}:{entry.Reference}";

    /// <summary>
    /// The text, encoded, with a line-break opportunity after each '/' only: a long image prefix wraps on a phone between
    /// its parts, never inside a host or group name (the copied text is unchanged: &lt;wbr&gt; is no character).
    /// </summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent BreakAtSlashes(string text) =>
        new Microsoft.AspNetCore.Html.HtmlString(string.Join("/<wbr>", text.Split('/').Select(System.Text.Encodings.Web.HtmlEncoder.Default.Encode)));

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
