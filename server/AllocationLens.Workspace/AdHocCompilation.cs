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
        // The reference pack of the same framework when an SDK installed one: what projects compile
        // against, and about a third of the implementation assemblies' size, so a loose file judged while
        // MSBuild loads costs less memory that then stays mapped. Without an SDK: the runtime's own assemblies.
        if (ReferencePack(frameworkDir) is { } referencePack)
            return Directory.GetFiles(referencePack, "*.dll").OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
        return tpa
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDir, StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    /// <summary>
    /// packs/Microsoft.NETCore.App.Ref/&lt;version&gt;/ref/net&lt;major&gt;.0 beside the running framework
    /// (shared/Microsoft.NETCore.App/&lt;version&gt;): the same version, else the newest of the same major.
    /// </summary>
    private static string? ReferencePack(string frameworkDir)
    {
        try
        {
            if (!Version.TryParse(Path.GetFileName(frameworkDir), out var version)) return null;
            var root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(frameworkDir)));
            if (root is null) return null;
            var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
            if (!Directory.Exists(packs)) return null;
            var candidates = Directory.GetDirectories(packs)
                .Select(d => (Dir: d, Version: Version.TryParse(Path.GetFileName(d), out var v) ? v : null))
                .Where(c => c.Version is { } v && v.Major == version.Major)
                .OrderByDescending(c => c.Version == version).ThenByDescending(c => c.Version);
            foreach (var (dir, _) in candidates)
            {
                var refDir = Path.Combine(dir, "ref", $"net{version.Major}.0");
                if (File.Exists(Path.Combine(refDir, "System.Runtime.dll"))) return refDir;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>No project says which language version a loose file uses: the newest released one this compiler knows.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>Kept for the process: the framework's assembly symbols, which Roslyn caches only weakly.</summary>
    private static CSharpCompilation? s_boundFramework;

    /// <summary>
    /// Reads the framework's references and binds them in a compilation with no documents, kept for the
    /// process: every ad-hoc compilation after it reuses the bound assembly symbols instead of binding 160
    /// references again. The language server calls it as it starts, on a core the editor is not yet using,
    /// so the first hints, judged ad hoc while the projects load, skip that step (bench/README).
    /// </summary>
    public static void BindFramework()
    {
        s_boundFramework ??= ReferenceWarmUp.Bind(Create([]));
    }

    private static readonly object s_bindingGate = new();
    private static Task? s_frameworkBinding;
    private static Task s_frameworkBound = Task.CompletedTask;

    /// <summary>Starts <see cref="BindFramework"/> on the thread pool, once; <see cref="FrameworkBound"/> then waits for it.</summary>
    public static Task StartBindingFramework()
    {
        lock (s_bindingGate)
        {
            if (s_frameworkBinding is null)
            {
                s_frameworkBinding = Task.Run(BindFramework);
                // Never faults: a failed binding only means the next compilation binds for itself.
                s_frameworkBound = s_frameworkBinding.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            return s_frameworkBinding;
        }
    }

    /// <summary>
    /// Completes when the binding <see cref="StartBindingFramework"/> began has ended (at once when none
    /// began), without throwing. An ad-hoc compilation made while it runs would bind the same 160 references
    /// again beside it (0.2–0.3 s of a core), and its symbols would not be the ones kept for the process.
    /// On 2 idle cores the first hints came as soon either way (bench/README); on a slower machine the
    /// binding is still running when the editor asks.
    /// </summary>
    public static Task FrameworkBound => Volatile.Read(ref s_frameworkBound);

    public static CSharpCompilation Create(IEnumerable<SyntaxTree> trees, string name = "AllocationLens.AdHoc") =>
        CSharpCompilation.Create(name, trees, Framework.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    public static SyntaxTree Parse(string text, string path, CancellationToken cancellationToken = default) =>
        CSharpSyntaxTree.ParseText(text, ParseOptions, path, System.Text.Encoding.UTF8, cancellationToken);

    public static SyntaxTree Parse(Microsoft.CodeAnalysis.Text.SourceText text, string path, CancellationToken cancellationToken = default) =>
        CSharpSyntaxTree.ParseText(text, ParseOptions, path, cancellationToken);
}
