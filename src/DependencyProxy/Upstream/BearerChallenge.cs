using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text;

namespace DependencyProxy.Upstream;

/// <summary>A <c>WWW-Authenticate: Bearer realm="…",service="…",scope="…"</c> challenge from an upstream registry.</summary>
internal sealed record BearerChallenge(Uri Realm, string? Service, string? Scope)
{
    public static bool TryParse(HttpHeaderValueCollection<AuthenticationHeaderValue> headers, [NotNullWhen(true)] out BearerChallenge? challenge)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) && TryParse(header.Parameter, out challenge))
            {
                return true;
            }
        }

        challenge = null;
        return false;
    }

    /// <summary>Parses the parameter list of a Bearer challenge. The realm must be an absolute http(s) URL.</summary>
    public static bool TryParse(string? parameters, [NotNullWhen(true)] out BearerChallenge? challenge)
    {
        challenge = null;
        var values = ParseParameters(parameters ?? "");
        if (!values.TryGetValue("realm", out var realm) ||
            !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) ||
            (realmUri.Scheme != Uri.UriSchemeHttp && realmUri.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        challenge = new BearerChallenge(realmUri, values.GetValueOrDefault("service"), values.GetValueOrDefault("scope"));
        return true;
    }

    /// <summary>RFC 7235 auth-params: <c>name=token</c> or <c>name="quoted \" string"</c>, separated by commas.</summary>
    internal static Dictionary<string, string> ParseParameters(string input)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < input.Length)
        {
            while (i < input.Length && (input[i] == ',' || char.IsWhiteSpace(input[i])))
            {
                i++;
            }

            var nameStart = i;
            while (i < input.Length && input[i] != '=' && input[i] != ',')
            {
                i++;
            }

            var name = input[nameStart..i].Trim();
            if (i >= input.Length || input[i] != '=')
            {
                continue;
            }

            i++;
            while (i < input.Length && input[i] == ' ')
            {
                i++;
            }

            var value = new StringBuilder();
            if (i < input.Length && input[i] == '"')
            {
                i++;
                while (i < input.Length && input[i] != '"')
                {
                    if (input[i] == '\\' && i + 1 < input.Length)
                    {
                        i++;
                    }

                    value.Append(input[i++]);
                }

                i++;
            }
            else
            {
                while (i < input.Length && input[i] != ',')
                {
                    value.Append(input[i++]);
                }
            }

            if (name.Length > 0)
            {
                result[name] = value.ToString().Trim();
            }
        }

        return result;
    }
}
