using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AllocationLens.Workspace;

/// <summary>
/// The fallback for files outside every loaded project (and for untrusted folders): the file compiled
/// alone against the framework the server runs on. Types from other files are then unknown, so
/// verdicts that need them are conservative.
/// </summary>
public static class AdHocCompilation
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> Framework = new(() =>
    {
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        // The framework folder as the host spelled it in the TPA list: typeof(object).Assembly.Location
        // can be the symlink-resolved path when the framework folder is a symlink, and would then match
        // no TPA entry at all (every framework type unknown, every box missed).
        var frameworkDir = Path.GetDirectoryName(tpa.FirstOrDefault(p => Path.GetFileName(p) == "System.Private.CoreLib.dll") ?? typeof(object).Assembly.Location)!;
        return tpa
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDir, StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    /// <summary>No project says which language version a loose file uses: the newest released one this compiler knows.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation Create(IEnumerable<SyntaxTree> trees, string name = "AllocationLens.AdHoc") =>
        CSharpCompilation.Create(name, trees, Framework.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    public static SyntaxTree Parse(string text, string path, CancellationToken cancellationToken = default) =>
        CSharpSyntaxTree.ParseText(text, ParseOptions, path, System.Text.Encoding.UTF8, cancellationToken);

    public static SyntaxTree Parse(Microsoft.CodeAnalysis.Text.SourceText text, string path, CancellationToken cancellationToken = default) =>
        CSharpSyntaxTree.ParseText(text, ParseOptions, path, cancellationToken);
}
