using System.Text.Json;

namespace DependencyProxy.Api;

/// <summary>
/// Object parameters (a trust rule's <c>claims</c>): a JSON object of texts, form or query fields <c>claims[name]=value</c>,
/// or a text holding such a JSON object. Anything else in an object (numbers, arrays, nested objects, a name twice) is a 400.
/// </summary>
internal sealed partial class ApiParameters
{
    /// <summary>The parameters that are objects of texts.</summary>
    private static readonly HashSet<string> ObjectParameters = new(StringComparer.Ordinal) { "claims" };

    /// <summary>More entries than any endpoint takes: the rest is refused before it is looked at.</summary>
    private const int MaxObjectEntries = 100;

    private readonly Dictionary<string, Dictionary<string, string?>> _objects = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> _objectErrors = new(StringComparer.Ordinal);

    /// <summary>Names given in JSON as a number, boolean: not a text, for fields that must be one (<see cref="IsText"/>).</summary>
    private readonly HashSet<string> _givenAsNonText = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> is absent or was given as a text (not a JSON number or boolean).</summary>
    public bool IsText(string name) => !_givenAsNonText.Contains(name);

    /// <summary>
    /// The object <paramref name="name"/>: null when absent; <paramref name="error"/> when it is not an object of texts.
    /// A text value is read as JSON (<c>claims={"a":"b"}</c> in a form).
    /// </summary>
    public bool TryObject(string name, out IReadOnlyDictionary<string, string?>? value, out string? error)
    {
        value = null;
        if (_objectErrors.TryGetValue(name, out error))
        {
            return false;
        }

        if (_objects.TryGetValue(name, out var entries))
        {
            if (_values.ContainsKey(name))
            {
                error = $"{name} must be given once, as an object";
                return false;
            }

            value = entries;
            return true;
        }

        if (String(name) is not { } text)
        {
            error = _values.ContainsKey(name) ? $"{name} must be an object of texts, e.g. {{\"project_path\": \"acme/*\"}}" : null;
            return error is null;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
            if (document.RootElement.ValueKind == JsonValueKind.Object && ReadObject(name, document.RootElement) is null)
            {
                value = _objects[name];
                return true;
            }
        }
        catch (JsonException)
        {
        }

        error = _objectErrors.GetValueOrDefault(name) ?? $"{name} must be an object of texts, e.g. {{\"project_path\": \"acme/*\"}}";
        return false;
    }

    /// <summary>Reads a JSON object of texts into <see cref="_objects"/>; the problem, or null.</summary>
    private string? ReadObject(string name, JsonElement element)
    {
        if (!ObjectParameters.Contains(name))
        {
            return $"{name} is invalid";
        }

        if (_objects.ContainsKey(name))
        {
            return $"{name} must be given once, as an object";
        }

        var entries = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (entries.Count >= MaxObjectEntries)
            {
                return Fail(name, $"{name} has too many entries");
            }

            if (property.Value.ValueKind != JsonValueKind.String)
            {
                return Fail(name, $"{name}: the value of '{Shorten(property.Name)}' must be a text");
            }

            if (!entries.TryAdd(property.Name, property.Value.GetString()))
            {
                return Fail(name, $"{name} names '{Shorten(property.Name)}' twice");
            }
        }

        _objects[name] = entries;
        return null;
    }

    /// <summary>A form or query field <c>claims[name]</c>: one entry of an object parameter.</summary>
    private bool TryAddObjectEntry(string key, string?[] values)
    {
        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || !key.EndsWith(']') || open + 2 > key.Length - 1 || !ObjectParameters.Contains(key[..open]))
        {
            return false;
        }

        var name = key[..open];
        var entry = key[(open + 1)..^1];
        var entries = _objects.TryGetValue(name, out var existing) ? existing : _objects[name] = new(StringComparer.Ordinal);
        if (values.Length != 1 || entries.ContainsKey(entry))
        {
            Fail(name, $"{name} names '{Shorten(entry)}' twice");
        }
        else if (entries.Count >= MaxObjectEntries)
        {
            Fail(name, $"{name} has too many entries");
        }
        else
        {
            entries[entry] = values[0];
        }

        return true;
    }

    private string Fail(string name, string error)
    {
        _objectErrors.TryAdd(name, error);
        return error;
    }

    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
