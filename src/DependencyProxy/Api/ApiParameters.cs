using System.Globalization;
using System.Text.Json;
using DependencyProxy.Data;
using DependencyProxy.Identity;
using DependencyProxy.Limits;

namespace DependencyProxy.Api;

/// <summary>
/// Request parameters from the query string, a form, or a JSON object body, as GitLab accepts them. Anything
/// malformed (not JSON, not an object, wrong types) is a clear 400, a body past <see cref="MaxBodyBytes"/> a 413 (counted
/// as read, chunked bodies too), never a 500.
/// </summary>
internal sealed partial class ApiParameters
{
    /// <summary>API bodies are a few short fields; the longest, a group description, is 2,000 characters.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The parameters that are lists (<see cref="List"/>); every other one is given once, as one value.</summary>
    private static readonly HashSet<string> ListParameters = new(StringComparer.Ordinal) { "scopes", "images", "platforms" };

    private readonly Dictionary<string, List<string?>> _values = new(StringComparer.Ordinal);

    /// <summary>Names given as a JSON array or as <c>name[]</c>: a list, even of one item, is no value of a single-value field.</summary>
    private readonly HashSet<string> _givenAsList = new(StringComparer.Ordinal);

    private IReadOnlyDictionary<string, int>? _limits;

    /// <param name="request">The request.</param>
    /// <param name="limits">Maximums for some parameters instead of <see cref="FieldLimits.ForParameter"/>'s (an upstream's password is longer than a user's).</param>
    public static async Task<(ApiParameters? Parameters, IResult? Error)> ReadAsync(HttpRequest request, IReadOnlyDictionary<string, int>? limits = null)
    {
        var parameters = new ApiParameters { _limits = limits };
        foreach (var (key, values) in request.Query)
        {
            parameters.AddAll(key, values.ToArray());
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, ApiResults.TooLarge(MaxBodyBytes));
        }

        // Counted as it is read: a chunked body has no Content-Length, and the form reader would take it whole.
        request.Body = new CountedBody(request.Body, MaxBodyBytes);
        try
        {
            if (request.HasFormContentType)
            {
                foreach (var (key, values) in await request.ReadFormAsync(request.HttpContext.RequestAborted))
                {
                    parameters.AddAll(key, values.ToArray());
                }
            }
            else if (request.HasJsonContentType() || (request.ContentLength ?? 0) > 0)
            {
                var error = await parameters.ReadJsonAsync(request);
                if (error is not null)
                {
                    return (null, ApiResults.BadRequest(error));
                }
            }
        }
        catch (BodyTooLargeException)
        {
            return (null, ApiResults.TooLarge(MaxBodyBytes));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own cap (DependencyProxy:Limits:MaxRequestBodyBytes), which validation keeps above this one.
            return (null, ApiResults.TooLarge(MaxBodyBytes));
        }
        catch (InvalidDataException e)
        {
            // The form reader's own limits (too many fields, a key or value too long) say which.
            return (null, ApiResults.BadRequest($"the request body could not be read: {e.Message}"));
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException)
        {
            return (null, ApiResults.BadRequest("the request body could not be read"));
        }

        var refusal = parameters.FirstNotSingle() ?? parameters.FirstTooLong();
        return refusal is not null ? (null, ApiResults.BadRequest(refusal)) : (parameters, null);
    }

    /// <summary>
    /// A field that is not a list, sent as an array, twice (a repeated query or form field, a duplicate JSON key) or
    /// as an empty array, is refused: taking one of its values silently would store what the caller may not have meant.
    /// </summary>
    private string? FirstNotSingle() =>
        _values.FirstOrDefault(p => (p.Value.Count != 1 || _givenAsList.Contains(p.Key)) && !ListParameters.Contains(p.Key)).Key is { } name
            ? $"{name} must be given once, as a single value"
            : null;

    /// <summary>
    /// Every text parameter, known to the endpoint or not, list items included, is held to its maximum
    /// (<see cref="FieldLimits"/>) here, once for all endpoints; the services check the fields they store again.
    /// </summary>
    private string? FirstTooLong()
    {
        foreach (var (name, values) in _values)
        {
            var maximum = _limits is not null && _limits.TryGetValue(name, out var limit) ? limit : FieldLimits.ForParameter(name);
            if (values.Any(v => FieldLimits.Exceeds(v, maximum)))
            {
                return FieldLimits.TooLong(name, maximum);
            }
        }

        return null;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name) => _values.TryGetValue(name, out var values) ? values[^1] : null;

    /// <summary>A list: a JSON array, repeated <c>name[]</c> form fields, or a comma-separated string.</summary>
    public IReadOnlyList<string> List(string name) =>
        _values.TryGetValue(name, out var values)
            ? values.Where(v => v is not null).SelectMany(v => v!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
            : [];

    /// <summary>Whether <paramref name="name"/> came as a list: a JSON array, or <c>name[]</c> form or query fields.</summary>
    public bool IsList(string name) => _givenAsList.Contains(name);

    /// <summary>A list's items exactly as given: not split at commas, nulls kept (so that the endpoint can refuse them).</summary>
    public IReadOnlyList<string?> Items(string name) => _values.TryGetValue(name, out var values) ? values : [];

    /// <summary>An optional integer; <paramref name="error"/> names the parameter when it is present but not one.</summary>
    public bool TryInt(string name, out long? value, out string? error)
    {
        value = null;
        error = null;
        if (String(name) is not { } text)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            value = number;
            return true;
        }

        error = $"{name} is invalid";
        return false;
    }

    public bool TryBool(string name, out bool? value, out string? error)
    {
        value = null;
        error = null;
        switch (String(name)?.ToLowerInvariant())
        {
            case null:
                return true;
            case "true" or "1" or "yes":
                value = true;
                return true;
            case "false" or "0" or "no":
                value = false;
                return true;
            default:
                error = $"{name} is invalid";
                return false;
        }
    }

    /// <summary>A date <c>YYYY-MM-DD</c> (GitLab's expires_at), as UTC midnight.</summary>
    public bool TryDate(string name, out DateTime? value, out string? error)
    {
        value = null;
        error = null;
        if (String(name) is not { Length: > 0 } text)
        {
            return true;
        }

        value = TokenExpiry.ParseDay(text);
        if (value is not null)
        {
            return true;
        }

        error = $"{name} is invalid: use YYYY-MM-DD";
        return false;
    }

    private void AddAll(string key, string?[] values)
    {
        if (TryAddObjectEntry(key, values))
        {
            return;
        }

        // Rails-style list fields: scopes[]=a&scopes[]=b.
        var name = key.EndsWith("[]", StringComparison.Ordinal) ? key[..^2] : key;
        if (name.Length != key.Length)
        {
            _givenAsList.Add(name);
        }

        if (!_values.TryGetValue(name, out var list))
        {
            _values[name] = list = [];
        }

        list.AddRange(values);
    }

    private async Task<string?> ReadJsonAsync(HttpRequest request)
    {
        // The body is counted: past MaxBodyBytes this throws, so the buffer stays small.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);

        if (buffer.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "the request body must be a JSON object";
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // A JSON key twice is refused even for a list: merging {"images":[a],"images":[b]} would queue what a
                // proxy in front, checking one of the two, never saw. (Repeating a form or query field is how forms send lists.)
                if (!seen.Add(property.Name))
                {
                    return $"{property.Name} must be given once";
                }

                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Array:
                        if (property.Value.EnumerateArray().Any(e => e.ValueKind is JsonValueKind.Object or JsonValueKind.Array))
                        {
                            return $"{property.Name} is invalid";
                        }

                        AddAll(property.Name, property.Value.EnumerateArray().Select(Scalar).ToArray());
                        _givenAsList.Add(property.Name);
                        if (property.Value.EnumerateArray().Any(e => e.ValueKind is not JsonValueKind.String and not JsonValueKind.Null))
                        {
                            _givenAsNonText.Add(property.Name); // [1, true]: items that are no texts (IsText)
                        }

                        break;
                    case JsonValueKind.Object:
                        if (ReadObject(property.Name, property.Value) is { } invalid)
                        {
                            return invalid;
                        }

                        break;
                    default:
                        if (property.Value.ValueKind is not JsonValueKind.String and not JsonValueKind.Null)
                        {
                            _givenAsNonText.Add(property.Name);
                        }

                        AddAll(property.Name, [Scalar(property.Value)]);
                        break;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return "the request body is not valid JSON";
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8, or escapes a lone surrogate (\ud800): it has no text to store.
            return "the request body is not valid JSON: a string is not valid UTF-8 text";
        }
    }

    private static string? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null => null,
        _ => element.GetRawText(),
    };
}
