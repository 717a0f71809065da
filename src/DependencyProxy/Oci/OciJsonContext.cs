using System.Text.Json.Serialization;

namespace DependencyProxy.Oci;

/// <summary>Source-generated JSON for the registry's own small bodies (errors); manifests are never re-serialised.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OciErrorBody))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
