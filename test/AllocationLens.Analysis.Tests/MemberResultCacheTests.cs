using System.Collections.Immutable;
using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AllocationLens.Analysis.Tests;

/// <summary>
/// The per-member cache must never change an answer: after every edit, the cached analysis equals a
/// fresh analysis of the same compilation, field by field (positions, lines, messages, reasons). And
/// it must actually be used: edits inside one body reuse the other members.
/// </summary>
public sealed class MemberResultCacheTests
{
    private static readonly string[] BodyFragments =
    [
        "var q = new object();", "object o = 42;", "s_sink = new int[4];", "\n", " ", "x", "return;", "\"a\" + n", "() => 1",
        "Use(new Point());", "{ }", "for (int i = 0; i < 3; i++) { var t = new Point(); }", "// note\n", ";",
    ];

    public static TheoryData<string> Fixtures() => FixtureTests.Fixtures();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Cached_results_equal_a_fresh_analysis_after_every_edit(string fixture)
    {
        var text = SourceText.From(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", fixture)));
        // A seed stable across processes (string.GetHashCode is randomized per process), so a failure replays.
        var random = new Random(StableHash(fixture) ^ 1122);
        var compilation = InMemoryCompiler.Compile([(fixture, text.ToString())]);
        var tree = compilation.SyntaxTrees.Single();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Net10);
        var cache = new MemberResultCache();
        int version = 1;
        Assert.Equal(Render(analyzer.Analyze(compilation, tree)), Render(analyzer.Analyze(compilation, tree, null, cache, version, default)));

        for (int i = 0; i < 60; i++)
        {
            // Mostly edits inside bodies (what typing does), sometimes anywhere (declarations, braces).
            var change = random.Next(4) == 0 ? AnywhereEdit(text, random) : BodyEdit(tree, text, random);
            text = text.WithChanges(change);
            var changedTree = tree.WithChangedText(text);
            compilation = compilation.ReplaceSyntaxTree(tree, changedTree);
            tree = changedTree;
            // A range (as editors ask) or the whole document, alternately.
            TextSpan? range = i % 2 == 0 ? null : RandomRange(text, random);
            var cached = analyzer.Analyze(compilation, tree, range, cache, ++version, default);
            var fresh = analyzer.Analyze(compilation, tree, range);
            Assert.Equal(Render(fresh), Render(cached));
        }
        Assert.True(cache.Hits > 0, $"{fixture}: the cache was never used ({cache.Misses} misses)");
    }

    private static int StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text) hash = (hash ^ c) * 16777619;
        return (int)hash;
    }

    [Fact]
    public void Editing_a_callee_body_invalidates_the_callers_verdict()
    {
        const string source = """
            public sealed class Point { public int X; }
            public static class Calls
            {
                static object? s_kept;
                public static int Caller() { var p = new Point(); Use(p); return p.X; }
                public static int Other() { var q = new Point(); return q.X; }
                static void Use(Point p) { }
            }
            """;
        var text = SourceText.From(source);
        var compilation = InMemoryCompiler.Compile([("Calls.cs", source)]);
        var tree = compilation.SyntaxTrees.Single();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Net10);
        var cache = new MemberResultCache();
        var before = analyzer.Analyze(compilation, tree, null, cache, 1, default);
        Assert.Equal(AllocationKind.Stack, Single(before, "new Point()", text, "Caller").Kind);

        // The callee now stores its argument: the caller's object escapes through it.
        int at = source.IndexOf("static void Use(Point p) { ", StringComparison.Ordinal) + "static void Use(Point p) { ".Length;
        var newText = text.WithChanges(new TextChange(new TextSpan(at, 0), "s_kept = p; "));
        var newTree = tree.WithChangedText(newText);
        compilation = compilation.ReplaceSyntaxTree(tree, newTree);
        int hitsBefore = cache.Hits;
        var after = analyzer.Analyze(compilation, newTree, null, cache, 2, default);

        var caller = Single(after, "new Point()", newText, "Caller");
        Assert.Equal(AllocationKind.Heap, caller.Kind);
        Assert.Contains(caller.Why, s => s.Text.Contains("Use", StringComparison.Ordinal));
        Assert.Equal(hitsBefore + 1, cache.Hits); // Other() was reused; Caller() and Use() were not
        Assert.Equal(Render(analyzer.Analyze(compilation, newTree)), Render(after));
    }

    [Fact]
    public void A_new_line_above_a_member_reuses_it_with_its_line_numbers_moved()
    {
        const string source = """
            public static class Loops
            {
                public static void First() { int a = 1; }
                public static int Second() { int t = 0; for (int i = 0; i < 3; i++) { var p = new object(); t += p.GetHashCode(); } return t; }
            }
            """;
        var text = SourceText.From(source);
        var compilation = InMemoryCompiler.Compile([("Loops.cs", source)]);
        var tree = compilation.SyntaxTrees.Single();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Net10);
        var cache = new MemberResultCache();
        var before = analyzer.Analyze(compilation, tree, null, cache, 1, default);
        Assert.Contains("loop at line 4", Single(before, "new object()", text, "Second").Message, StringComparison.Ordinal);

        int at = source.IndexOf("int a = 1;", StringComparison.Ordinal);
        var newText = text.WithChanges(new TextChange(new TextSpan(at, 0), "\n        "));
        var newTree = tree.WithChangedText(newText);
        compilation = compilation.ReplaceSyntaxTree(tree, newTree);
        int hits = cache.Hits;
        var after = analyzer.Analyze(compilation, newTree, null, cache, 2, default);
        Assert.Contains("loop at line 5", Single(after, "new object()", newText, "Second").Message, StringComparison.Ordinal);
        Assert.Equal(hits + 1, cache.Hits); // Second() came from the cache, renumbered; First() was edited
        Assert.Equal(Render(analyzer.Analyze(compilation, newTree)), Render(after));
    }

    [Fact]
    public void An_edit_between_a_member_and_a_body_it_read_maps_each_place_on_its_own()
    {
        // Caller's verdict reads Use's body (above it); a keystroke in Middle, between them, moves the
        // caller by some characters and Use by none: the cached steps must keep pointing at the right places.
        const string source = """
            public sealed class Point { public int X; }
            public static class Calls
            {
                static object? s_kept;
                static void Use(Point p) { s_kept = p; }
                public static int Middle() { int a = 1; return a; }
                public static int Caller() { var p = new Point(); Use(p); return p.X; }
            }
            """;
        var text = SourceText.From(source);
        var compilation = InMemoryCompiler.Compile([("Calls.cs", source)]);
        var tree = compilation.SyntaxTrees.Single();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Net10);
        var cache = new MemberResultCache();
        var before = analyzer.Analyze(compilation, tree, null, cache, 1, default);
        Assert.Contains(Single(before, "new Point()", text, "Caller").Why, s => s.Where.Span.Start < source.IndexOf("Middle", StringComparison.Ordinal));

        foreach (var (insert, version) in new[] { (" a++;", 2), ("\n        a++;", 3) })
        {
            int at = text.ToString().IndexOf("int a = 1;", StringComparison.Ordinal) + "int a = 1;".Length;
            var newText = text.WithChanges(new TextChange(new TextSpan(at, 0), insert));
            var newTree = tree.WithChangedText(newText);
            compilation = compilation.ReplaceSyntaxTree(tree, newTree);
            (text, tree) = (newText, newTree);
            int hits = cache.Hits;
            var after = analyzer.Analyze(compilation, tree, null, cache, version, default);
            Assert.True(cache.Hits == hits + 2, $"Use and Caller were not both reused after inserting {insert}"); // Middle was edited
            Assert.Equal(Render(analyzer.Analyze(compilation, tree)), Render(after));
        }
    }

    [Fact]
    public void A_declaration_edit_drops_every_entry()
    {
        const string source = """
            public sealed class Box { public int V; }
            public static class Decl
            {
                public static int A() { var b = new Box(); return b.V; }
                public static int B() { var b = new Box(); return b.V; }
            }
            """;
        var text = SourceText.From(source);
        var compilation = InMemoryCompiler.Compile([("Decl.cs", source)]);
        var tree = compilation.SyntaxTrees.Single();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Net10);
        var cache = new MemberResultCache();
        Assert.All(analyzer.Analyze(compilation, tree, null, cache, 1, default), s => Assert.Equal(AllocationKind.Stack, s.Kind));

        // A finalizer makes every Box heap-allocated: a change outside any body, so nothing may be reused.
        int at = source.IndexOf("public int V; ", StringComparison.Ordinal) + "public int V; ".Length;
        var newText = text.WithChanges(new TextChange(new TextSpan(at, 0), "~Box() { } "));
        var newTree = tree.WithChangedText(newText);
        compilation = compilation.ReplaceSyntaxTree(tree, newTree);
        int hits = cache.Hits;
        var after = analyzer.Analyze(compilation, newTree, null, cache, 2, default);
        Assert.Equal(hits, cache.Hits);
        Assert.Equal(2, after.Count(s => s.Kind == AllocationKind.Heap && s.Subject == "new Box()"));
    }

    [Fact]
    public void A_request_for_an_older_version_bypasses_the_cache()
    {
        const string source = "public static class Old { public static object M() => new object(); }";
        var compilation = InMemoryCompiler.Compile([("Old.cs", source)]);
        var tree = compilation.SyntaxTrees.Single();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Net10);
        var cache = new MemberResultCache();
        analyzer.Analyze(compilation, tree, null, cache, 5, default);
        var stale = analyzer.Analyze(compilation, tree, null, cache, 4, default);
        Assert.Single(stale);
        Assert.Equal(0, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    private static AllocationSite Single(ImmutableArray<AllocationSite> sites, string subject, SourceText text, string inMethod)
    {
        int method = text.ToString().IndexOf(" " + inMethod + "(", StringComparison.Ordinal);
        return sites.Single(s => s.Subject == subject && s.Where.Span.Start > method && s.Where.Span.Start < text.ToString().IndexOf('\n', method));
    }

    private static TextChange BodyEdit(SyntaxTree tree, SourceText text, Random random)
    {
        var bodies = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax>()
            .Where(b => b.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax && !b.CloseBraceToken.IsMissing).ToList();
        if (bodies.Count == 0) return AnywhereEdit(text, random);
        var body = bodies[random.Next(bodies.Count)];
        int start = random.Next(body.OpenBraceToken.Span.End, body.CloseBraceToken.SpanStart + 1);
        int length = random.Next(3) == 0 ? Math.Min(random.Next(12), body.CloseBraceToken.SpanStart - start) : 0;
        return Clean(text, start, length, random.Next(5) == 0 ? "" : BodyFragments[random.Next(BodyFragments.Length)]);
    }

    private static TextChange AnywhereEdit(SourceText text, Random random)
    {
        int start = random.Next(text.Length + 1);
        int length = random.Next(3) == 0 ? Math.Min(random.Next(20), text.Length - start) : 0;
        string[] anywhere = ["}", "{", "~", "class C { }", "static int F;", "\n", "public ", "", "readonly "];
        return Clean(text, start, length, anywhere[random.Next(anywhere.Length)]);
    }

    /// <summary>Never splits a CRLF or a surrogate pair, as editors never do.</summary>
    private static TextChange Clean(SourceText text, int start, int length, string newText)
    {
        if (start > 0 && start < text.Length && (text[start - 1] == '\r' && text[start] == '\n' || char.IsLowSurrogate(text[start]))) start--;
        int end = Math.Min(text.Length, start + length);
        if (end > 0 && end < text.Length && (text[end - 1] == '\r' && text[end] == '\n' || char.IsLowSurrogate(text[end]))) end++;
        return new TextChange(TextSpan.FromBounds(start, end), newText);
    }

    private static TextSpan RandomRange(SourceText text, Random random)
    {
        int startLine = random.Next(text.Lines.Count);
        int endLine = Math.Min(text.Lines.Count - 1, startLine + random.Next(5, 40));
        return TextSpan.FromBounds(text.Lines[startLine].Start, text.Lines[endLine].End);
    }

    /// <summary>Every field a user can see, in order: the comparison is exact.</summary>
    private static string Render(ImmutableArray<AllocationSite> sites) => string.Join("\n", sites.Select(s =>
        $"{s.Where.Path}:{s.Where.Span}:{s.Where.Lines} {s.Kind} {s.Category} {s.TypeName} {s.Bytes} [{s.Subject}] {s.Message} " +
        $"why[{string.Join(" | ", s.Why.Select(w => $"{w.Where.Path}:{w.Where.Span}:{w.Where.Lines} {w.Text}"))}] " +
        $"remedies[{string.Join(" | ", s.Remedies)}] loops={s.LoopDepth} {s.Runtime} certain={s.Certain}"));
}
