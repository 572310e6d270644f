using System.Diagnostics;
using AllocationLens.Analysis;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Bench;

/// <summary>
/// `analyze` throughput over a large body of code (a generated corpus, and this repository's own
/// server sources): lines per second, and the analysis time against Roslyn compiling (emitting) the
/// same code from scratch, both measured in this run on fresh compilations and both on all cores
/// (Roslyn's concurrent build; the engine's <see cref="AllocationAnalyzer.AnalyzeAll"/>). The binding
/// floor (every member body bound to IOperation, nothing else) uses the same parallelism.
/// </summary>
public static class Throughput
{
    /// <param name="BindMs">Roslyn binding every member body (GetOperation): what any IOperation analysis needs first.</param>
    public sealed record Result(string Name, int Lines, double AnalyzeMs, double BindMs, double CompileMs)
    {
        public double Ratio => AnalyzeMs / CompileMs;
        /// <summary>The engine's own cost: analysis minus the binding it needs, against the compile.</summary>
        public double OverheadRatio => Math.Max(0, AnalyzeMs - BindMs) / CompileMs;
        public double LinesPerSecond => Lines / (AnalyzeMs / 1000);
    }

    public static Result Run(string name, IReadOnlyList<(string Path, string Text)> files)
    {
        int lines = files.Sum(f => f.Text.Count(c => c == '\n'));
        // Warm the JIT (Roslyn's and ours) on the whole input once, so the measurement is not mostly jitting.
        Measure(files);
        var (analyze, bind, compile) = Measure(files);
        return new Result(name, lines, analyze, bind, compile);
    }

    private static (double AnalyzeMs, double BindMs, double CompileMs) Measure(IReadOnlyList<(string Path, string Text)> files)
    {
        var bindWatch = Stopwatch.StartNew();
        var forBind = AdHocCompilation.Create(files.Select(f => AdHocCompilation.Parse(f.Text, f.Path)));
        Parallel.ForEach(forBind.SyntaxTrees.OrderByDescending(t => t.Length), tree =>
        {
#pragma warning disable RSEXPERIMENTAL001 // the engine binds the same way (AnalysisSession)
            var model = forBind.GetSemanticModel(tree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001
            foreach (var member in AllocationAnalyzer.BoundMembers(tree.GetRoot()))
                _ = model.GetOperation(member);
        });
        bindWatch.Stop();

        var compileWatch = Stopwatch.StartNew();
        var forEmit = AdHocCompilation.Create(files.Select(f => AdHocCompilation.Parse(f.Text, f.Path)));
        using (var pe = new MemoryStream()) forEmit.Emit(pe);
        compileWatch.Stop();

        var analyzeWatch = Stopwatch.StartNew();
        var compilation = AdHocCompilation.Create(files.Select(f => AdHocCompilation.Parse(f.Text, f.Path)));
        var analyzer = new AllocationAnalyzer(TargetRuntime.Net10);
        int sites = analyzer.AnalyzeAll(compilation, compilation.SyntaxTrees.ToList()).Sum(s => s.Length);
        analyzeWatch.Stop();
        return (analyzeWatch.Elapsed.TotalMilliseconds, bindWatch.Elapsed.TotalMilliseconds, compileWatch.Elapsed.TotalMilliseconds);
    }
}
