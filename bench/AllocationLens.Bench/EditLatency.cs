using System.Diagnostics;
using AllocationLens.Server;
using AllocationLens.TestSupport;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Bench;

/// <summary>
/// Time from didChange to the inlayHint answer for a 60-line window, through the real server over
/// in-memory pipes, against a floor measured in the same run: Roslyn alone applying the same edit
/// incrementally, rebuilding the compilation and binding the member bodies in the same window.
/// </summary>
public static class EditLatency
{
    public sealed record Result(int Lines, double ServerMedianMs, double FloorMedianMs, int CacheHits, int CacheMisses)
    {
        public double Ratio => ServerMedianMs / FloorMedianMs;
    }

    public static async Task<Result> RunAsync(int lines, int edits)
    {
        var text = CorpusGenerator.File(lines);
        var editLine = lines / 2;
        var (serverMs, floorMs) = (new List<double>(), new List<double>());

        // The server, warmed up on the same document.
        const string uri = "file:///tmp/bench/Generated.cs";
        await using var session = await BenchSession.OpenAsync(uri, text);
        await session.HintsAsync(editLine - 30, editLine + 30);

        // The floor's state: the same text, parsed and compiled the way an editor host keeps it.
        var source = SourceText.From(text);
        var tree = AdHocCompilation.Parse(text, "/tmp/bench/Generated.cs");
        var compilation = AdHocCompilation.Create([tree]);
        BindWindow(compilation, tree, source, editLine);

        int version = 1;
        for (int i = 0; i < edits + 3; i++)
        {
            // Insert (then later delete) a statement inside a method body at the middle of the file.
            var line = source.Lines[FindEditableLine(source, editLine)];
            bool insert = i % 2 == 0;
            var change = insert ? new TextChange(new TextSpan(line.End, 0), " total++;") : new TextChange(new TextSpan(line.End - 9, 9), "");

            var watch = Stopwatch.StartNew();
            await session.ChangeAsync(++version, source, change);
            var response = await session.HintsAsync(editLine - 30, editLine + 30);
            watch.Stop();
            if (response["error"] is not null) throw new InvalidOperationException(response.ToJsonString());

            var floorWatch = Stopwatch.StartNew();
            source = source.WithChanges(change);
            tree = tree.WithChangedText(source);
            compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(), tree);
            BindWindow(compilation, tree, source, editLine);
            floorWatch.Stop();

            if (i >= 3) { serverMs.Add(watch.Elapsed.TotalMilliseconds); floorMs.Add(floorWatch.Elapsed.TotalMilliseconds); }
        }
        var cache = session.Server.Host.MemberCacheOf(uri);
        return new Result(lines, Statistics.Median(serverMs), Statistics.Median(floorMs), cache.Hits, cache.Misses);
    }

    /// <summary>Binds every member body intersecting the 60-line window: what the analysis needs at least.</summary>
    internal static void BindWindow(Compilation compilation, SyntaxTree tree, SourceText text, int centerLine)
    {
        var span = TextSpan.FromBounds(text.Lines[Math.Max(0, centerLine - 30)].Start, text.Lines[Math.Min(text.Lines.Count - 1, centerLine + 30)].End);
#pragma warning disable RSEXPERIMENTAL001 // bound the way the engine binds (AnalysisSession): no nullable flow analysis
        var model = compilation.GetSemanticModel(tree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001
        foreach (var member in AllocationLens.Analysis.AllocationAnalyzer.BoundMembers(tree.GetRoot(), span))
            _ = model.GetOperation(member);
    }

    internal static int FindEditableLine(SourceText text, int near)
    {
        for (int i = near; i < text.Lines.Count; i++)
            if (text.Lines[i].ToString().Contains("int total = item.A;", StringComparison.Ordinal)) return i;
        throw new InvalidOperationException("no editable line");
    }
}
