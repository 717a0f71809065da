using System.Globalization;

namespace DependencyProxy.Web;

/// <summary>How the pages write sizes and times: short, human, and exact on hover.</summary>
public static class Format
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Bytes(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "—";
        }

        double size = value;
        var unit = 0;
        while (size >= 1024 && unit < Units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return unit == 0 ? $"{value} B" : string.Create(CultureInfo.InvariantCulture, $"{size:0.#} {Units[unit]}");
    }

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

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
