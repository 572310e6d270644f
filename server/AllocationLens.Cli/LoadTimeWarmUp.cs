using System.Runtime.CompilerServices;
using AllocationLens.Analysis;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Cli;

/// <summary>
/// Work for the idle core while MSBuild loads the project. The design-time load keeps about one core
/// busy for 1–2 s (in our process, InProcessProjectLoader, or in Roslyn's BuildHost); `analyze` itself would wait.
/// Meanwhile this judges the project's own files ad hoc, on one thread, and throws the verdicts away:
/// what it keeps is warm code (the parser, Roslyn's binder and the engine reach their optimized tier
/// before the real binding starts) and warm file caches. Nothing it computes reaches the report, so a
/// wrong guess about the project (other files, other symbols) costs time, never accuracy.
/// </summary>
public static class LoadTimeWarmUp
{
    /// <summary>
    /// Starts warming up on a thread of its own; stops when <paramref name="stop"/> is cancelled (the
    /// load finished) or the files run out. Does nothing on a single core, where it would slow the load.
    /// The task never faults; its result is the number of files judged (for tests and phase clocks).
    /// </summary>
    public static Task<int> Start(IEnumerable<string> projectFiles, CancellationToken stop)
    {
        if (Environment.ProcessorCount < 2) return Task.FromResult(0);
        var folders = projectFiles.Select(Path.GetDirectoryName).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var judged = new StrongBox<int>();
        return Task.Factory.StartNew(() => Run(folders, judged, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .ContinueWith(_ => judged.Value, TaskScheduler.Default); // cancelled or failed: either way the warm-up is over
    }

    private static void Run(IReadOnlyList<string> folders, StrongBox<int> judged, CancellationToken stop)
    {
        AllocationLens.Server.IdlePriority.LowerCurrentThread();
        var trees = new List<SyntaxTree>();
        foreach (var file in SourceFiles(folders))
        {
            stop.ThrowIfCancellationRequested();
            try { trees.Add(AdHocCompilation.Parse(File.ReadAllText(file), file, stop)); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var compilation = AdHocCompilation.Create(trees, "AllocationLens.WarmUp");
        var analyzer = new AllocationAnalyzer(TargetRuntime.Parse("net10.0")) { OnInternalError = (_, _) => { } };
        foreach (var tree in trees)
        {
            analyzer.Analyze(compilation, tree, range: null, stop);
            judged.Value++;
        }
    }

    /// <summary>The C# files under the project folders (at most 2,000: a warm-up, not a second analysis), without bin/obj.</summary>
    private static IEnumerable<string> SourceFiles(IReadOnlyList<string> folders)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        return folders
            .SelectMany(folder => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.cs", options) : [])
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Distinct(StringComparer.Ordinal)
            .Take(2000);
    }
}
