using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AllocationLens.TestSupport;

/// <summary>
/// Compiles fixture and corpus sources in memory against the running framework's assemblies
/// (TRUSTED_PLATFORM_ASSEMBLIES), so tests need neither MSBuild nor files on disk.
/// </summary>
public static class InMemoryCompiler
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(() =>
    {
        var tpa = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => Path.GetDirectoryName(p) == frameworkDir)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    public static ImmutableArray<MetadataReference> References => FrameworkReferences.Value;

    public static CSharpCompilation Compile(IEnumerable<(string Path, string Text)> sources, bool optimize = true, string assemblyName = "Fixtures")
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path)).ToList();
        return CSharpCompilation.Create(
            assemblyName,
            trees,
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                optimizationLevel: optimize ? OptimizationLevel.Release : OptimizationLevel.Debug,
                allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>Errors only; warnings are fine in fixtures.</summary>
    public static IReadOnlyList<Diagnostic> Errors(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
}
