using System.Globalization;

namespace DependencyProxy.Common;

/// <summary>Sizes as people read them (binary units), the same in the pages and the command line.</summary>
internal static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Format(long? bytes)
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
}
