using System.Collections.Immutable;
using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AllocationLens.Analysis.Tests;

/// <summary>
/// `analyze` judges a whole project in one batch whose documents share their callee facts and run in
/// parallel (<see cref="AllocationAnalyzer.AnalyzeAll"/>); the editor judges one document at a time. The
/// batch must say exactly what the documents say one by one, whatever order its threads happen to take:
/// a fact about a callee may not depend on which caller asked first.
/// </summary>
public sealed class BatchAnalysisTests
{
    [Theory]
    [InlineData("net8.0")]
    [InlineData("net10.0")]
    public void A_batch_judges_every_site_as_the_documents_judged_one_by_one(string target)
    {
        // The runtime corpus: many documents calling into each other's helpers, inlining chains included.
        var folder = Path.Combine(AppContext.BaseDirectory, "corpus");
        var files = Directory.GetFiles(folder, "*.cs").OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 10, $"the corpus is missing from {folder}");
        var compilation = InMemoryCompiler.Compile(files.Select(f => (f, File.ReadAllText(f))), optimize: true, assemblyName: "Corpus");
        Assert.Empty(InMemoryCompiler.Errors(compilation));
        var trees = compilation.SyntaxTrees.ToList();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Parse(target)) { OnInternalError = (node, ex) => throw new InvalidOperationException($"{node.GetLocation()}", ex) };

        var oneByOne = trees.Select(tree => Render(analyzer.Analyze(compilation, tree))).ToList();
        Assert.True(oneByOne.Sum(r => r.Count) > 100, "the corpus should yield well over 100 sites");
        for (int run = 0; run < 3; run++)
        {
            var batch = analyzer.AnalyzeAll(compilation, trees);
            for (int i = 0; i < trees.Count; i++)
                Assert.Equal(oneByOne[i], Render(batch[i]));
        }
    }

    [Fact]
    public void Members_judged_in_parallel_say_what_one_thread_says_and_fill_the_member_cache()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "corpus");
        var files = Directory.GetFiles(folder, "*.cs").OrderBy(f => f, StringComparer.Ordinal).ToList();
        var compilation = InMemoryCompiler.Compile(files.Select(f => (f, File.ReadAllText(f))), optimize: true, assemblyName: "Corpus");
        var serial = new AllocationAnalyzer(TargetRuntime.Net10) { OnInternalError = (node, ex) => throw new InvalidOperationException($"{node.GetLocation()}", ex) };
        var parallel = new AllocationAnalyzer(TargetRuntime.Net10) { JudgeMembersInParallel = true, OnInternalError = serial.OnInternalError };
        int judgedInParallel = 0;
        foreach (var tree in compilation.SyntaxTrees)
        {
            int members = AllocationAnalyzer.BoundMembers(tree.GetRoot()).Count();
            if (members > 1) judgedInParallel++;
            var expected = Render(serial.Analyze(compilation, tree));
            for (int run = 0; run < 3; run++)
                Assert.Equal(expected, Render(parallel.Analyze(compilation, tree)));
            // Judged in parallel into a cache, every member is then answered from it, with the same sites.
            var cache = new MemberResultCache();
            Assert.Equal(expected, Render(parallel.Analyze(compilation, tree, null, cache, 1, default)));
            int hitsBefore = cache.Hits, missesBefore = cache.Misses;
            Assert.Equal(expected, Render(parallel.Analyze(compilation, tree, null, cache, 1, default)));
            Assert.Equal(missesBefore, cache.Misses);
            Assert.Equal(hitsBefore + members - (tree.GetRoot() is Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax root && AllocationAnalyzer.BoundMembers(root).Contains(root) ? 1 : 0), cache.Hits);
        }
        Assert.True(judgedInParallel > 10, $"only {judgedInParallel} corpus documents have several members");
    }

    /// <summary>Everything a user reads about a site, as text (the record's arrays compare by reference).</summary>
    private static List<string> Render(ImmutableArray<AllocationSite> sites) =>
        sites.Select(s => string.Join(" | ", s.Where.Path, s.Where.Lines.Start.Line, s.Where.Lines.Start.Character, s.Kind, s.Category, s.TypeName,
            s.Bytes, s.Subject, s.Message, s.LoopDepth, s.Runtime, s.Certain,
            string.Join(" / ", s.Why.Select(w => $"{w.Where.Lines.Start.Line}:{w.Text}")), string.Join(" / ", s.Remedies))).ToList();
}

/// <summary>The same question about a callee, asked from different inlining depths, gets its own answer at each.</summary>
public sealed class CalleeQuestionTests
{
    private const string Chain = """
        public static class Chain
        {
            static void Sink(object o) { }
            static void C5(object o) => Sink(o);
            static void C4(object o) => C5(o);
            static void C3(object o) => C4(o);
            static void C2(object o) => C3(o);
            static void C1(object o) => C2(o);
            static void C0(object o) => C1(o);
        """;

    [Fact]
    public void A_callers_verdict_does_not_depend_on_which_caller_asked_first()
    {
        // Deep() reaches C1 one level further down than Shallow() does: C1's facts asked from there run out
        // of inlining budget sooner. Each caller's verdict must be the one it gets when judged on its own,
        // whichever caller asked about C1 first.
        const string shallow = "    public static void Shallow() => C1(new object());\n";
        const string deep = "    public static void Deep() => C0(new object());\n";
        foreach (var caller in new[] { "Shallow", "Deep" })
        {
            var alone = Verdict(caller, caller == "Shallow" ? shallow : deep);
            Assert.Equal(alone, Verdict(caller, deep + shallow));
            Assert.Equal(alone, Verdict(caller, shallow + deep));
        }
        Assert.NotEqual(Verdict("Shallow", shallow), Verdict("Deep", deep)); // the depths really do differ
    }

    /// <summary>The verdict, message and steps of the allocation in <paramref name="caller"/>.</summary>
    private static string Verdict(string caller, string members)
    {
        var text = Chain + members + "}\n";
        var compilation = InMemoryCompiler.Compile([("Chain.cs", text)]);
        Assert.Empty(InMemoryCompiler.Errors(compilation));
        int line = text.Split('\n').ToList().FindIndex(l => l.Contains($"void {caller}()", StringComparison.Ordinal));
        var sites = new AllocationAnalyzer(TargetRuntime.Parse("net10.0")).Analyze(compilation, compilation.SyntaxTrees.Single());
        var site = Assert.Single(sites, s => s.Where.Lines.Start.Line == line);
        return $"{site.Kind} {site.Message} {string.Join(" / ", site.Why.Select(w => w.Text))}";
    }
}
