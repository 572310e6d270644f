using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Runtime.Tests;

/// <summary>One case: its method, its single marker, the label for this runtime, and what the runtime did.</summary>
public sealed record CorpusCase(string Name, Marker Marker, string Label, RuntimeMeasurement Measurement)
{
    /// <summary>The label the corpus claims for this runtime: heap and boxed allocate, stack and none do not.</summary>
    public bool LabelSaysAllocates => Label is "heap" or "boxed";
}

/// <summary>A case that does not compile against an older target's framework (an API it lacks), with the compiler's reason.</summary>
public sealed record SkippedCase(string Name, string Reason);

/// <summary>
/// The corpus built for one target framework and measured on that runtime. Per target: compiles
/// test/runtime/corpus in Release with the same Roslyn and language version, against that runtime's own
/// framework assemblies (the laid-out shared framework, as the in-memory fixtures use the installed one);
/// drops the cases that cannot exist there (compile errors inside a case method) with the reason; writes
/// Corpus.dll and a small probe host (host/ProbeHost.cs + RuntimeAllocationProbe.cs, compiled the same way)
/// to artifacts/runtime-corpus/&lt;tfm&gt;/; and runs the host in a child process on exactly that runtime
/// (`dotnet exec --fx-version`). Measuring takes tens of seconds per runtime, so tests share one run each.
/// </summary>
public sealed partial class CorpusRun
{
    public const LanguageVersion Language = LanguageVersion.Latest;

    private static readonly Dictionary<string, Lazy<CorpusRun>> Runs = RuntimeTargetsLazy();

    private static Dictionary<string, Lazy<CorpusRun>> RuntimeTargetsLazy() =>
        RuntimeTargets.Majors.ToDictionary(m => $"net{m}.0", m => new Lazy<CorpusRun>(() => new CorpusRun(RuntimeTargets.Get($"net{m}.0"))));

    public static CorpusRun For(string tfm) => Runs[tfm].Value;

    /// <summary>Every runtime, oldest first, measured one after another (never in parallel: the machine is shared).</summary>
    public static IEnumerable<CorpusRun> All => RuntimeTargets.All.Select(t => For(t.Tfm));

    public RuntimeTarget Target { get; }
    /// <summary>What the child process reported: Environment.Version and RuntimeInformation.FrameworkDescription.</summary>
    public string MeasuredOn { get; }
    public IReadOnlyList<CorpusCase> Cases { get; }
    public IReadOnlyList<SkippedCase> Skipped { get; }
    public CSharpCompilation Compilation { get; }
    public string ProbeCommand { get; }

    private CorpusRun(RuntimeTarget target)
    {
        Target = target;
        var dir = Path.Combine(AppContext.BaseDirectory, "corpus");
        var sources = Directory.GetFiles(dir, "*.cs").OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (Path: Path.GetFileName(p), Text: File.ReadAllText(p))).ToList();
        var references = FrameworkReferences(target.FrameworkDirectory);

        var parse = new CSharpParseOptions(Language);
        var compilation = CSharpCompilation.Create("Corpus",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path)), references, Options);
        (Compilation, Skipped) = DropCasesThatDoNotCompile(compilation);

        var work = Path.Combine(RuntimeTargets.RepositoryRoot(), "artifacts", "runtime-corpus", target.Tfm);
        Directory.CreateDirectory(work);
        Emit(Compilation, Path.Combine(work, "Corpus.dll"));
        Emit(HostCompilation(references, parse), Path.Combine(work, "ProbeHost.dll"));
        File.WriteAllText(Path.Combine(work, "ProbeHost.runtimeconfig.json"),
            $$"""{ "runtimeOptions": { "tfm": "{{target.Tfm}}", "framework": { "name": "Microsoft.NETCore.App", "version": "{{target.Version}}" } } }""");

        var (measuredOn, measurements) = Measure(target, work, out var command);
        MeasuredOn = measuredOn;
        ProbeCommand = command;

        var markers = MarkersByCase(Compilation);
        var missing = measurements.Keys.Except(markers.Keys).ToList();
        if (missing.Count > 0) throw new InvalidOperationException("cases without exactly one marker: " + string.Join(", ", missing));
        var unmeasured = markers.Keys.Except(measurements.Keys).ToList();
        if (unmeasured.Count > 0) throw new InvalidOperationException($"{target}: the probe did not report " + string.Join(", ", unmeasured));
        Cases = measurements.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new CorpusCase(kv.Key, markers[kv.Key].Marker, LabelFor(markers[kv.Key], target.Tfm), kv.Value)).ToList();
    }

    private static readonly CSharpCompilationOptions Options = new(
        OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, allowUnsafe: true,
        nullableContextOptions: NullableContextOptions.Enable);

    /// <summary>Every managed assembly of the runtime's shared framework (implementation assemblies, like TRUSTED_PLATFORM_ASSEMBLIES).</summary>
    private static ImmutableArray<MetadataReference> FrameworkReferences(string frameworkDirectory) =>
        Directory.GetFiles(frameworkDirectory, "*.dll").Where(IsManaged).OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();

    private static bool IsManaged(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return pe.HasMetadata;
    }

    /// <summary>
    /// A case method with a compile error against this framework cannot exist on this target: it is
    /// removed, with the first error as the reason. An error outside any case method is a real failure.
    /// </summary>
    private static (CSharpCompilation, IReadOnlyList<SkippedCase>) DropCasesThatDoNotCompile(CSharpCompilation compilation)
    {
        var skipped = new List<SkippedCase>();
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count == 0) return (compilation, skipped);
        var outside = new List<Diagnostic>();
        var byTree = new Dictionary<SyntaxTree, Dictionary<MethodDeclarationSyntax, Diagnostic>>();
        foreach (var error in errors)
        {
            var tree = error.Location.SourceTree;
            var method = tree?.GetRoot().FindNode(error.Location.SourceSpan).AncestorsAndSelf().OfType<MethodDeclarationSyntax>()
                .FirstOrDefault(m => m.Identifier.Text.StartsWith("Case_", StringComparison.Ordinal));
            if (tree is null || method is null) { outside.Add(error); continue; }
            var methods = byTree.TryGetValue(tree, out var d) ? d : byTree[tree] = new();
            methods.TryAdd(method, error);
        }
        if (outside.Count > 0) throw new InvalidOperationException("corpus does not compile:\n" + string.Join("\n", outside));
        foreach (var (tree, methods) in byTree)
        {
            foreach (var (method, error) in methods)
            {
                var type = method.Ancestors().OfType<TypeDeclarationSyntax>().First();
                skipped.Add(new SkippedCase(type.Identifier.Text + "." + method.Identifier.Text, $"{error.Id}: {error.GetMessage(CultureInfo.InvariantCulture)}"));
            }
            var root = tree.GetRoot().RemoveNodes(methods.Keys, SyntaxRemoveOptions.KeepNoTrivia)!;
            compilation = compilation.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(root, tree.Options));
        }
        var left = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (left.Count > 0) throw new InvalidOperationException("corpus does not compile after dropping cases:\n" + string.Join("\n", left));
        return (compilation, skipped.OrderBy(s => s.Name, StringComparer.Ordinal).ToList());
    }

    private static CSharpCompilation HostCompilation(ImmutableArray<MetadataReference> references, CSharpParseOptions parse)
    {
        var hostDir = Path.Combine(AppContext.BaseDirectory, "host");
        var trees = Directory.GetFiles(hostDir, "*.cs").OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), parse, Path.GetFileName(p)))
            // RuntimeAllocationProbe.cs is written for the test projects' implicit usings.
            .Append(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading;", parse, "GlobalUsings.cs"));
        return CSharpCompilation.Create("ProbeHost", trees, references,
            Options.WithOutputKind(OutputKind.ConsoleApplication).WithMainTypeName("ProbeHost"));
    }

    private static void Emit(CSharpCompilation compilation, string path)
    {
        var emit = compilation.Emit(path);
        if (!emit.Success)
            throw new InvalidOperationException($"{compilation.AssemblyName} does not compile:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
    }

    /// <summary>Runs the probe host on exactly the target's runtime and reads its measurements.</summary>
    private static (string MeasuredOn, Dictionary<string, RuntimeMeasurement>) Measure(RuntimeTarget target, string work, out string command)
    {
        var root = RuntimeTargets.DotnetRoot;
        var psi = new ProcessStartInfo(Path.Combine(root, "dotnet"), ["exec", "--fx-version", target.Version, Path.Combine(work, "ProbeHost.dll"), Path.Combine(work, "Corpus.dll")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work,
        };
        // The child measures runtime defaults (tiered compilation, Dynamic PGO): no JIT or GC setting of
        // the test host's environment leaks into it.
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(name);
        psi.Environment["DOTNET_ROOT"] = root;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        command = $"DOTNET_ROOT={root} {psi.FileName} {string.Join(' ', psi.ArgumentList)}";

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); throw new TimeoutException($"{target}: the probe ran over 10 minutes: {command}"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{target}: the probe failed ({p.ExitCode}): {command}\n{stderr.Result}");

        string? measuredOn = null;
        var results = new Dictionary<string, RuntimeMeasurement>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.TrimEnd('\r').Split('\t');
            if (f[0] == "RUNTIME") measuredOn = f[1] + " (" + f[2] + ")";
            else if (f[0] == "CASE" && f.Length == 6)
                results[f[1]] = new RuntimeMeasurement(f[1], double.Parse(f[2], CultureInfo.InvariantCulture), f[3] == "1",
                    int.Parse(f[4], CultureInfo.InvariantCulture), f[5].Length == 0 ? null : f[5]);
        }
        if (measuredOn is null || !measuredOn.StartsWith(target.Version + " ", StringComparison.Ordinal))
            throw new InvalidOperationException($"{target}: the probe ran on {measuredOn ?? "an unknown runtime"}, not {target.Version}: {command}");
        return (measuredOn, results);
    }

    /// <summary>
    /// The label a marker gives one runtime. The marker's own kind is what .NET 10 and newer do; a runtime
    /// that differs says so after the marker, from measurement: <c>//@ hint("new Point", stack) on(net8.0: heap)</c>.
    /// <c>none</c> is the label of a nohint marker.
    /// </summary>
    public static string LabelFor((Marker Marker, IReadOnlyDictionary<string, string> Overrides) m, string tfm) =>
        m.Overrides.TryGetValue(tfm, out var label) ? label
        : m.Marker.Verb == MarkerVerb.Hint ? m.Marker.Expected ?? "none" : "none";

    [GeneratedRegex(@"\bon\((?<list>[^)]*)\)")]
    private static partial Regex RuntimeOverrides();

    private static readonly string[] Labels = ["heap", "boxed", "stack", "none"];

    /// <summary>Maps "Class.Case_Name" to the one marker inside that method's declaration, with its per-runtime labels.</summary>
    private static Dictionary<string, (Marker Marker, IReadOnlyDictionary<string, string> Overrides)> MarkersByCase(CSharpCompilation compilation)
    {
        var result = new Dictionary<string, (Marker, IReadOnlyDictionary<string, string>)>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var text = tree.GetText().ToString();
            var lines = MarkerParser.LineStarts(text);
            var markers = MarkerParser.Parse(tree.FilePath, text);
            var root = tree.GetRoot();
            foreach (var method in root.DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (!method.Identifier.Text.StartsWith("Case_", StringComparison.Ordinal)) continue;
                var type = method.Ancestors().OfType<TypeDeclarationSyntax>().First();
                var span = tree.GetLineSpan(method.FullSpan);
                var own = markers.Where(m => m.MarkerLine >= span.StartLinePosition.Line && m.MarkerLine <= span.EndLinePosition.Line
                                          && method.FullSpan.Contains(m.Position)).ToList();
                if (own.Count != 1) continue;
                var marker = own[0];
                int start = lines[marker.MarkerLine], end = marker.MarkerLine + 1 < lines.Count ? lines[marker.MarkerLine + 1] : text.Length;
                var line = text[start..end];
                var overrides = new Dictionary<string, string>();
                var at = line.IndexOf("//@", StringComparison.Ordinal);
                foreach (Match o in RuntimeOverrides().Matches(line, Math.Max(0, at)))
                {
                    foreach (var pair in o.Groups["list"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        var kv = pair.Split(':', StringSplitOptions.TrimEntries);
                        if (kv.Length != 2 || !RuntimeTargets.Majors.Any(m => kv[0] == $"net{m}.0") || !Labels.Contains(kv[1]))
                            throw new FormatException($"{tree.FilePath}:{marker.MarkerLine + 1}: on(...) takes `netN.0: heap|boxed|stack|none` for a measured runtime, not `{pair}`");
                        overrides[kv[0]] = kv[1];
                    }
                }
                result[type.Identifier.Text + "." + method.Identifier.Text] = (marker, overrides);
            }
        }
        return result;
    }
}
