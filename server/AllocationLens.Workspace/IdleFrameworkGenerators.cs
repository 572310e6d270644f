using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AllocationLens.Workspace;

/// <summary>
/// The .NET SDK gives every project its own source generators (regular expressions, JSON, interop) and
/// analyzers, whether the project uses them or not. Creating a compilation runs every generator: 0.7 s of
/// CsvHelper's 1.1 s compilation here, for generators that produce nothing in it. Each of these
/// framework generators only writes code for a type or member that carries its attribute
/// (<c>[GeneratedRegex]</c>, <c>[JsonSerializable]</c>, <c>[LibraryImport]</c>, …), so when no document
/// of the project even mentions that attribute's name, it is idle and can be left out without changing
/// a single bound symbol. The check is textual and errs on the side of keeping: a mention in a comment
/// or string keeps the generator; an alias of the attribute must name it too. Generators we do not know
/// (third-party packages, the project's own) always run, as do the SDK's interceptor generators, which
/// have no attribute to look for. The SDK's analyzers never run in a compilation we create and are dropped.
/// </summary>
public static class IdleFrameworkGenerators
{
    /// <summary>Each framework generator assembly (by file name) and the attribute names that make it write code.</summary>
    private static readonly (string Assembly, string[] Triggers)[] Generators =
    [
        ("System.Text.RegularExpressions.Generator", ["GeneratedRegex"]),
        ("System.Text.Json.SourceGeneration", ["JsonSerializable"]),
        ("Microsoft.Interop.LibraryImportGenerator", ["LibraryImport"]),
        ("Microsoft.Interop.ComInterfaceGenerator", ["GeneratedComInterface", "GeneratedComClass"]),
        ("Microsoft.Interop.JavaScript.JSImportGenerator", ["JSImport", "JSExport"]),
        ("Microsoft.Extensions.Logging.Generators", ["LoggerMessage"]),
        ("Microsoft.Extensions.Options.SourceGeneration", ["OptionsValidator"]),
    ];

    /// <summary>Analyzer-only assemblies of the SDK: they contain no generator.</summary>
    private static readonly string[] AnalyzersOnly = ["Microsoft.CodeAnalysis.NetAnalyzers", "Microsoft.CodeAnalysis.CSharp.NetAnalyzers"];

    /// <summary>The interop generators' shared library: needed while any of them stays.</summary>
    private const string InteropShared = "Microsoft.Interop.SourceGeneration";

    /// <summary>The project without the framework generators none of its documents can trigger, and without the SDK's analyzers.</summary>
    public static async Task<Project> RemoveFromAsync(Project project, CancellationToken cancellationToken = default) =>
        (await LeaveOutAsync(project, cancellationToken).ConfigureAwait(false)).Project;

    /// <summary>
    /// Every project of the solution without its idle framework generators, and what was left out, so an
    /// editor session can give a generator back the moment the user types its attribute (<see cref="LeftOutGenerators"/>).
    /// </summary>
    public static async Task<(Solution Solution, LeftOutGenerators LeftOut)> RemoveFromAsync(Solution solution, CancellationToken cancellationToken = default)
    {
        var leftOut = new Dictionary<ProjectId, IReadOnlyList<(AnalyzerReference Reference, string[] Triggers)>>();
        foreach (var id in solution.ProjectIds)
        {
            var (project, idle) = await LeaveOutAsync(solution.GetProject(id)!, cancellationToken).ConfigureAwait(false);
            if (idle.Count == 0) continue;
            solution = project.Solution;
            leftOut[id] = idle;
        }
        return (solution, new LeftOutGenerators(leftOut));
    }

    internal static async Task<(Project Project, List<(AnalyzerReference Reference, string[] Triggers)> Idle)> LeaveOutAsync(Project project, CancellationToken cancellationToken)
    {
        var candidates = project.AnalyzerReferences
            .Select(reference => (Reference: reference, Name: AssemblyName(reference)))
            .Where(r => r.Name is not null)
            .ToList();
        if (candidates.Count == 0) return (project, []);

        // The trigger names still unseen, per generator in the project; a generator is needed once one is seen.
        var unseen = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (_, name) in candidates)
            if (Generators.FirstOrDefault(g => g.Assembly == name) is { Assembly: not null } known) unseen[name!] = known.Triggers;
        // Every text is read (and kept by its document for the first compilation) on every core: read one
        // after the other, they were 0.1–0.2 s of Newtonsoft.Json's start, on the way to its project hints.
        if (unseen.Count > 0)
        {
            var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            var candidatesUnseen = unseen.ToArray();
            await Parallel.ForEachAsync(project.Documents, new ParallelOptions { CancellationToken = cancellationToken }, async (document, token) =>
            {
                if (seen.Count == candidatesUnseen.Length) return;
                var text = (await document.GetTextAsync(token).ConfigureAwait(false)).ToString();
                foreach (var (name, triggers) in candidatesUnseen)
                    if (!seen.ContainsKey(name) && triggers.Any(t => text.Contains(t, StringComparison.Ordinal))) seen.TryAdd(name, true);
            }).ConfigureAwait(false);
            foreach (var name in seen.Keys) unseen.Remove(name);
        }

        bool anyInteropKept = candidates.Any(c => c.Name!.StartsWith("Microsoft.Interop.", StringComparison.Ordinal) && c.Name != InteropShared && !unseen.ContainsKey(c.Name));
        // Each left-out reference with the names that bring it back: a generator's own triggers; the interop
        // library those of every interop generator; an analyzer none (it never comes back).
        var interopTriggers = Generators.Where(g => g.Assembly.StartsWith("Microsoft.Interop.", StringComparison.Ordinal)).SelectMany(g => g.Triggers).ToArray();
        var idle = candidates
            .Where(c => unseen.ContainsKey(c.Name!) || AnalyzersOnly.Contains(c.Name) || (c.Name == InteropShared && !anyInteropKept))
            .Select(c => (c.Reference, unseen.TryGetValue(c.Name!, out var triggers) ? triggers : c.Name == InteropShared ? interopTriggers : Array.Empty<string>()))
            .ToList();
        return idle.Count == 0 ? (project, idle) : (project.WithAnalyzerReferences(project.AnalyzerReferences.Except(idle.Select(i => i.Reference))), idle);
    }

    /// <summary>The assembly name of a framework analyzer or generator reference we know, by its file name; null for any other.</summary>
    private static string? AssemblyName(AnalyzerReference reference)
    {
        if (reference.FullPath is not { Length: > 0 } path) return null;
        var name = Path.GetFileNameWithoutExtension(path);
        return Generators.Any(g => g.Assembly == name) || AnalyzersOnly.Contains(name) || name == InteropShared ? name : null;
    }
}
