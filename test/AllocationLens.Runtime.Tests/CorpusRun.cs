using System.Reflection;
using System.Runtime.Loader;
using AllocationLens.TestSupport;

namespace AllocationLens.Runtime.Tests;

/// <summary>One case: its method, its single marker, and what the runtime did.</summary>
public sealed record CorpusCase(string Name, Marker Marker, RuntimeMeasurement Measurement)
{
    /// <summary>The label the corpus claims: heap and boxed allocate, stack and nohint do not.</summary>
    public bool LabelSaysAllocates => Marker.Verb == MarkerVerb.Hint && Marker.Expected is "heap" or "boxed";
}

/// <summary>
/// Compiles test/runtime/corpus in Release, loads it into its own load context and measures every
/// <c>Case_*</c> method once per test process (measuring takes tens of seconds, so tests share it).
/// </summary>
public sealed class CorpusRun
{
    private static readonly Lazy<CorpusRun> Shared = new(() => new CorpusRun());
    public static CorpusRun Instance => Shared.Value;

    public IReadOnlyList<(string Path, string Text)> Sources { get; }
    public IReadOnlyList<CorpusCase> Cases { get; }
    public Microsoft.CodeAnalysis.CSharp.CSharpCompilation Compilation { get; }

    private CorpusRun()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "corpus");
        Sources = Directory.GetFiles(dir, "*.cs").OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (Path.GetFileName(p), File.ReadAllText(p))).ToList();
        Compilation = InMemoryCompiler.Compile(Sources, optimize: true, assemblyName: "Corpus");
        var errors = InMemoryCompiler.Errors(Compilation);
        if (errors.Count > 0) throw new InvalidOperationException("corpus does not compile:\n" + string.Join("\n", errors));

        using var pe = new MemoryStream();
        var emit = Compilation.Emit(pe);
        if (!emit.Success) throw new InvalidOperationException(string.Join("\n", emit.Diagnostics));
        pe.Position = 0;
        var assembly = new AssemblyLoadContext("corpus", isCollectible: false).LoadFromStream(pe);

        var methodsByName = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.StartsWith("Case_", StringComparison.Ordinal))
            .ToDictionary(m => m.DeclaringType!.Name + "." + m.Name);

        var markersByCase = MarkersByCase();
        var missing = methodsByName.Keys.Except(markersByCase.Keys).ToList();
        if (missing.Count > 0) throw new InvalidOperationException("cases without exactly one marker: " + string.Join(", ", missing));

        var ordered = methodsByName.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var measurements = RuntimeAllocationProbe.MeasureAll(ordered.Select(kv => kv.Value).ToList());
        Cases = ordered.Select((kv, i) => new CorpusCase(kv.Key, markersByCase[kv.Key], measurements[i])).ToList();
    }

    /// <summary>Maps "Class.Case_Name" to the one marker inside that method's declaration.</summary>
    private Dictionary<string, Marker> MarkersByCase()
    {
        var result = new Dictionary<string, Marker>();
        foreach (var tree in Compilation.SyntaxTrees)
        {
            var text = tree.GetText().ToString();
            var markers = MarkerParser.Parse(tree.FilePath, text);
            var root = tree.GetRoot();
            foreach (var method in root.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
            {
                if (!method.Identifier.Text.StartsWith("Case_", StringComparison.Ordinal)) continue;
                var type = method.Ancestors().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax>().First();
                var span = tree.GetLineSpan(method.FullSpan);
                var own = markers.Where(m => m.MarkerLine >= span.StartLinePosition.Line && m.MarkerLine <= span.EndLinePosition.Line
                                          && method.FullSpan.Contains(m.Position)).ToList();
                if (own.Count == 1) result[type.Identifier.Text + "." + method.Identifier.Text] = own[0];
            }
        }
        return result;
    }
}
