using System.Collections.Immutable;
using AllocationLens.Analysis;
using AllocationLens.Analysis.Fixes;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>
/// Each quick fix applied to real code: the result compiles with no new errors, and the engine's verdict
/// on the site changes as the fix promises (judged before and after). Where the runtime corpus measures
/// the same shape, the case is named: the corpus tier checks the verdict against the running JIT.
/// </summary>
public sealed class QuickFixTests
{
    private const string Usings = "using System;\nusing System.Collections.Generic;\nusing System.Collections.Concurrent;\n";

    private sealed record Applied(string Before, string After, QuickFix Fix, ImmutableArray<AllocationSite> SitesBefore, ImmutableArray<AllocationSite> SitesAfter);

    private static ImmutableArray<QuickFix> FixesAt(string source, string at, string target = "net10.0")
    {
        var compilation = InMemoryCompiler.Compile([("Fix.cs", source)]);
        Assert.Empty(InMemoryCompiler.Errors(compilation));
        int offset = source.IndexOf(at, StringComparison.Ordinal);
        Assert.True(offset >= 0, $"`{at}` not in the source");
        return QuickFixes.For(compilation, compilation.SyntaxTrees.Single(), new TextSpan(offset, at.Length), TargetRuntime.Parse(target));
    }

    private static Applied Apply(string source, string at, string id, string target = "net10.0")
    {
        var fix = Assert.Single(FixesAt(source, at, target), f => f.Id == id);
        var after = fix.ApplyTo(SourceText.From(source)).ToString();
        var before = InMemoryCompiler.Compile([("Fix.cs", source)]);
        var compiled = InMemoryCompiler.Compile([("Fix.cs", after)]);
        Assert.True(InMemoryCompiler.Errors(compiled).Count == 0, $"the fix does not compile:\n{after}\n{string.Join("\n", InMemoryCompiler.Errors(compiled))}");
        var runtime = TargetRuntime.Parse(target);
        return new Applied(source, after, fix,
            new AllocationAnalyzer(runtime).Analyze(before, before.SyntaxTrees.Single()),
            new AllocationAnalyzer(runtime).Analyze(compiled, compiled.SyntaxTrees.Single()));
    }

    private static void NotOffered(string source, string at, string id, string target = "net10.0") =>
        Assert.DoesNotContain(FixesAt(source, at, target), f => f.Id == id);

    private static AllocationSite? Site(ImmutableArray<AllocationSite> sites, string category, string subjectContains) =>
        sites.FirstOrDefault(s => s.Category == category && s.Subject.Contains(subjectContains, StringComparison.Ordinal));

    // ---- make-lambda-static (corpus: Delegates.cs Case_NonCapturingLambdaInvoked and Case_StaticLambda, both stack)

    [Fact]
    public void Static_lambda_keeps_the_cached_delegate()
    {
        const string source = Usings + "public static class C { public static int M() { Func<int, int> f = x => x * 2; return f(3); } }";
        var applied = Apply(source, "x => x * 2", "make-lambda-static");
        Assert.Contains("Func<int, int> f = static x => x * 2;", applied.After);
        Assert.Equal(AllocationKind.Stack, Site(applied.SitesBefore, "delegate", "x => x * 2")!.Kind);
        Assert.Equal(AllocationKind.Stack, Site(applied.SitesAfter, "delegate", "x => x * 2")!.Kind);
        Assert.DoesNotContain(applied.SitesAfter, s => s.Kind != AllocationKind.Stack);
    }

    [Fact]
    public void Static_is_not_offered_for_a_lambda_that_captures()
    {
        const string source = Usings + """
            public class C
            {
                int _field = 1;
                public int Local(int k) { Func<int, int> f = x => x * k; return f(3); }
                public int This() { Func<int, int> g = y => y + _field; return g(3); }
                public int Already() { Func<int, int> h = static z => z; return h(3); }
            }
            """;
        NotOffered(source, "x => x * k", "make-lambda-static");
        NotOffered(source, "y => y + _field", "make-lambda-static");
        NotOffered(source, "static z => z", "make-lambda-static");
    }

    // ---- pass-state-to-overload (corpus: Delegates.cs Case_ClosureOverLocal measures the closure it removes)

    [Fact]
    public void GetOrAdd_takes_the_state_instead_of_a_closure()
    {
        const string source = Usings + """
            public static class C
            {
                static readonly ConcurrentDictionary<string, int> s_cache = new();
                public static int Get(string key, int factor) => s_cache.GetOrAdd(key, k => k.Length * factor);
            }
            """;
        var applied = Apply(source, "GetOrAdd", "pass-state-to-overload");
        Assert.Contains("s_cache.GetOrAdd(key, static (k, factor) => k.Length * factor, factor)", applied.After);
        Assert.Equal(AllocationKind.Heap, Site(applied.SitesBefore, "closure", "factor")!.Kind);
        Assert.NotEqual(AllocationKind.Stack, Site(applied.SitesBefore, "delegate", "k =>")!.Kind);
        Assert.Null(Site(applied.SitesAfter, "closure", "factor"));
        Assert.Equal(AllocationKind.Stack, Site(applied.SitesAfter, "delegate", "static (k, factor)")!.Kind);
    }

    [Fact]
    public void GetOrAdd_state_is_not_offered_for_two_captures_this_or_a_write()
    {
        const string source = Usings + """
            public class C
            {
                readonly ConcurrentDictionary<string, int> _cache = new();
                int _offset = 2;
                public int Two(string key, int a, int b) => _cache.GetOrAdd(key, k => k.Length * a + b);
                public int This(string key, int a) => _cache.GetOrAdd(key, k => k.Length * a + _offset);
                public int Writes(string key, int a) => _cache.GetOrAdd(key, k => a++);
                public int None(string key) => _cache.GetOrAdd(key, k => k.Length);
            }
            """;
        NotOffered(source, "GetOrAdd(key, k => k.Length * a + b)", "pass-state-to-overload");
        NotOffered(source, "GetOrAdd(key, k => k.Length * a + _offset)", "pass-state-to-overload");
        NotOffered(source, "GetOrAdd(key, k => a++)", "pass-state-to-overload");
        NotOffered(source, "GetOrAdd(key, k => k.Length)", "pass-state-to-overload");
    }

    // ---- presize-collection (corpus: Collections.cs Case_ListGrowthInLoop heap, Case_ListNoGrowthWithCapacity no hint)

    [Fact]
    public void A_list_filled_from_an_array_gets_its_length_as_capacity()
    {
        const string source = Usings + """
            public static class C
            {
                public static List<int> Lengths(string[] items)
                {
                    var result = new List<int>();
                    foreach (var s in items) result.Add(s.Length);
                    return result;
                }
            }
            """;
        var applied = Apply(source, "result.Add(s.Length)", "presize-collection");
        Assert.Contains("var result = new List<int>(items.Length);", applied.After);
        Assert.NotNull(Site(applied.SitesBefore, "growth", "result.Add"));
        Assert.DoesNotContain(applied.SitesAfter, s => s.Category == "growth");
    }

    [Fact]
    public void A_dictionary_filled_in_a_counted_for_loop_gets_the_count_as_capacity()
    {
        const string source = Usings + """
            public static class C
            {
                public static Dictionary<int, string> Index(List<string> names)
                {
                    Dictionary<int, string> map = new();
                    for (int i = 0; i < names.Count; i++) { if (names[i].Length > 0) map.Add(i, names[i]); }
                    return map;
                }
            }
            """;
        var applied = Apply(source, "new()", "presize-collection");
        Assert.Contains("Dictionary<int, string> map = new(names.Count);", applied.After);
        Assert.NotNull(Site(applied.SitesBefore, "growth", "map.Add"));
        Assert.DoesNotContain(applied.SitesAfter, s => s.Category == "growth");
    }

    [Fact]
    public void Capacity_is_not_offered_when_the_count_is_unknown_or_could_change()
    {
        const string source = Usings + """
            public static class C
            {
                public static List<int> Enumerable(IEnumerable<string> items)
                {
                    var a = new List<int>();
                    foreach (var s in items) a.Add(s.Length);
                    return a;
                }
                public static List<int> Reassigned(string[] items)
                {
                    var b = new List<int>();
                    items = new[] { "x" };
                    foreach (var s in items) b.Add(s.Length);
                    return b;
                }
                public static List<int> EarlyExit(string[]? items)
                {
                    var c = new List<int>();
                    if (DateTime.Now.Ticks == 0) return c;
                    foreach (var s in items!) c.Add(s.Length);
                    return c;
                }
                public static List<int> WithCapacity(string[] items)
                {
                    var d = new List<int>(4);
                    foreach (var s in items) d.Add(s.Length);
                    return d;
                }
            }
            """;
        NotOffered(source, "a.Add", "presize-collection");
        NotOffered(source, "b.Add", "presize-collection");
        NotOffered(source, "c.Add", "presize-collection");
        NotOffered(source, "d.Add", "presize-collection");
    }

    // ---- hoist-constant-array (corpus: Arrays.cs Case_StringSplit measures Split's own result array, which stays)

    [Fact]
    public void A_constant_separator_array_moves_to_a_static_readonly_field()
    {
        const string source = Usings + """
            public static class C
            {
                public static int Count(string line) => line.Split(new[] { ',', ';' }).Length;
            }
            """;
        var applied = Apply(source, "new[] { ',', ';' }", "hoist-constant-array");
        Assert.Contains("    private static readonly char[] s_separators = { ',', ';' };\n", applied.After);
        Assert.Contains("line.Split(s_separators).Length", applied.After);
        Assert.NotNull(Site(applied.SitesBefore, "array", "new[]"));
        // The method no longer builds the array; the field's initializer runs once, in the static constructor.
        var method = applied.After.IndexOf("public static int Count", StringComparison.Ordinal);
        Assert.DoesNotContain(applied.SitesAfter, s => s.Category == "array" && s.Where.Span.Start > method);
    }

    [Fact]
    public void Hoisting_is_not_offered_for_unknown_callees_or_non_constant_elements()
    {
        const string source = Usings + """
            public static class C
            {
                static void Keep(char[] c) { }
                public static void M(string line, char sep)
                {
                    Keep(new[] { ',' });
                    line.Split(new[] { sep });
                }
            }
            """;
        NotOffered(source, "new[] { ',' }", "hoist-constant-array");
        NotOffered(source, "new[] { sep }", "hoist-constant-array");
    }

    // ---- enum-without-boxing (corpus: Boxing.cs Case_EnumEquals, boxed up to .NET 10)

    [Fact]
    public void Enum_Equals_becomes_an_operator_and_stops_boxing()
    {
        const string source = Usings + """
            public enum Color { Red, Green }
            public static class C { public static int M(Color a, Color b) => !a.Equals(b) ? 1 : 0; }
            """;
        var applied = Apply(source, "a.Equals(b)", "enum-without-boxing", "net8.0");
        Assert.Contains("!(a == b) ? 1 : 0", applied.After);
        Assert.Contains(applied.SitesBefore, s => s.Kind == AllocationKind.Boxed);
        Assert.DoesNotContain(applied.SitesAfter, s => s.Category == "box");
    }

    [Fact]
    public void Enum_IsDefined_with_typeof_becomes_the_generic_overload()
    {
        const string source = Usings + """
            public enum Color { Red, Green }
            public static class C { public static bool M(Color c) => Enum.IsDefined(typeof(Color), c); }
            """;
        var applied = Apply(source, "Enum.IsDefined", "enum-without-boxing", "net8.0");
        Assert.Contains("=> Enum.IsDefined(c);", applied.After);
        Assert.Contains(applied.SitesBefore, s => s.Category == "box" && s.Kind != AllocationKind.Stack);
        Assert.DoesNotContain(applied.SitesAfter, s => s.Category == "box");
    }

    [Fact]
    public void Enum_fixes_are_not_offered_for_ToString_or_mixed_types()
    {
        const string source = Usings + """
            public enum Color { Red, Green }
            public static class C
            {
                public static string Name(Color c) => c.ToString();
                public static bool Defined(int v) => Enum.IsDefined(typeof(Color), v);
                public static bool Same(Color c, object o) => c.Equals(o);
            }
            """;
        NotOffered(source, "c.ToString()", "enum-without-boxing");
        NotOffered(source, "Enum.IsDefined", "enum-without-boxing");
        NotOffered(source, "c.Equals(o)", "enum-without-boxing");
    }

    // ---- use-empty-array (corpus: Arrays.cs Case_EmptyArrayNew and Case_CollectionExpressionEmptyArray)

    [Fact]
    public void A_returned_empty_array_becomes_Array_Empty()
    {
        const string source = Usings + "public static class C { public static int[] None() => new int[0]; }";
        var applied = Apply(source, "new int[0]", "use-empty-array");
        Assert.Contains("=> Array.Empty<int>();", applied.After);
        Assert.Equal(AllocationKind.Heap, Site(applied.SitesBefore, "array", "new int[0]")!.Kind);
        Assert.DoesNotContain(applied.SitesAfter, s => s.Kind != AllocationKind.Stack);
    }

    [Fact]
    public void An_empty_array_field_becomes_a_collection_expression()
    {
        const string source = Usings + "public class C { public string[] Names = new string[] { }; public object Get() => Names; }";
        var applied = Apply(source, "new string[] { }", "use-empty-array");
        Assert.Contains("public string[] Names = [];", applied.After);
    }

    [Fact]
    public void Empty_array_is_not_offered_for_a_lock_object_or_a_non_empty_array()
    {
        const string source = Usings + """
            public class C
            {
                private readonly object[] _gate = new object[0];
                public void M() { lock (_gate) { } }
                public int[] One() => new int[1];
            }
            """;
        NotOffered(source, "new object[0]", "use-empty-array");
        NotOffered(source, "new int[1]", "use-empty-array");
    }

    // ---- stackalloc-small-array (corpus: Arrays.cs Case_ByteArray heap on net8.0; Case_InLoop, Case_Returned,
    //      Case_StoredToStatic and Case_RefElementArray are the shapes it refuses)

    [Fact]
    public void A_small_local_buffer_moves_to_the_stack()
    {
        const string source = Usings + """
            public static class C
            {
                static int Sum(ReadOnlySpan<int> values) { int s = 0; foreach (var v in values) s += v; return s; }
                public static int M()
                {
                    var buffer = new int[8];
                    for (int i = 0; i < buffer.Length; i++) buffer[i] = i;
                    buffer[^1] = 5;
                    int total = 0;
                    foreach (var v in buffer) total += v;
                    return total + Sum(buffer);
                }
            }
            """;
        var applied = Apply(source, "new int[8]", "stackalloc-small-array", "net8.0");
        Assert.Contains("Span<int> buffer = stackalloc int[8];", applied.After);
        Assert.Equal(AllocationKind.Heap, Site(applied.SitesBefore, "array", "new int[8]")!.Kind);
        Assert.DoesNotContain(applied.SitesAfter, s => s.Kind != AllocationKind.Stack);
        Assert.Contains(applied.SitesAfter, s => s.Category == "stackalloc");
    }

    [Fact]
    public void Stackalloc_is_never_offered_for_references_escapes_loops_or_large_arrays()
    {
        const string source = Usings + """
            public static class C
            {
                static object? s_keep;
                static int Take(int[] a) => a.Length;
                public static int References() { var a = new string[3]; a[0] = "x"; return a[0].Length; }
                public static int[] Returned() { var b = new int[4]; b[0] = 1; return b; }
                public static int Stored() { var c = new int[2]; s_keep = c; return c.Length; }
                public static int PassedAsArray() { var d = new int[2]; return Take(d); }
                public static int InLoop() { int s = 0; for (int i = 0; i < 3; i++) { var e = new int[2]; e[0] = i; s += e[0]; } return s; }
                public static int Large() { var f = new long[1000]; f[1] = 2; return (int)f[1]; }
                public static int Captured() { var g = new int[2]; Func<int> h = () => g[0]; return h(); }
                public static int Sliced() { var j = new int[4]; var t = j[1..]; t[0] = 9; return j[1]; }
            }
            """;
        foreach (var at in new[] { "new string[3]", "new int[4]", "new int[2]; s_keep", "new int[2]; return Take", "new int[2]; e[0]", "new long[1000]", "new int[2]; Func", "new int[4]; var t" })
            NotOffered(source, at, "stackalloc-small-array");
    }

    [Fact]
    public void Stackalloc_is_not_offered_under_SkipLocalsInit()
    {
        const string source = Usings + """
            public static class C
            {
                [System.Runtime.CompilerServices.SkipLocalsInit]
                public static int M() { var a = new byte[16]; a[3] = 7; return a[3]; }
            }
            """;
        NotOffered(source, "new byte[16]", "stackalloc-small-array");
    }

    [Fact]
    public void Every_fix_has_an_id_and_fixes_are_scoped_to_the_range()
    {
        Assert.True(QuickFixes.Ids.Count >= 6);
        const string source = Usings + "public static class C { public static int[] A() => new int[0]; public static int[] B() => new int[0]; }";
        var fixes = FixesAt(source, "A() => new int[0]");
        var fix = Assert.Single(fixes);
        Assert.True(fix.Anchor.Start < source.IndexOf("B()", StringComparison.Ordinal));
    }
}

/// <summary>The quick fixes over LSP: capability, codeAction with a WorkspaceEdit, and the Explain panel's buttons.</summary>
public sealed class CodeActionSessionTests
{
    private const string Uri = "file:///tmp/allocation-lens-tests/Fixes.cs";
    private const string Source = """
        using System;
        public static class Demo
        {
            public static int[] None() => new int[0];
            public static int Twice(int k) { Func<int, int> f = x => x * k; return f(2); }
        }
        """;

    [Fact]
    public async Task CodeAction_returns_the_fix_with_an_edit_that_applies()
    {
        await using var session = new ServerSession();
        var init = await session.Client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });
        Assert.Equal("quickfix", init["result"]!["capabilities"]!["codeActionProvider"]!["codeActionKinds"]![0]!.GetValue<string>());
        await session.Client.NotifyAsync("initialized", new { });
        await session.OpenAsync(Uri, Source);

        // A cursor inside `new int[0]` (line 3).
        var response = await session.Client.RequestAsync("textDocument/codeAction", new
        {
            textDocument = new { uri = Uri },
            range = new { start = new { line = 3, character = 40 }, end = new { line = 3, character = 40 } },
            context = new { diagnostics = Array.Empty<object>() },
        });
        Assert.True(response["result"] is not null, response.ToJsonString());
        var actions = response["result"]!.AsArray();
        var action = Assert.Single(actions);
        Assert.Equal("quickfix", action!["kind"]!.GetValue<string>());
        Assert.StartsWith("Use Array.Empty<int>()", action["title"]!.GetValue<string>());
        var edits = action["edit"]!["changes"]![Uri]!.AsArray();
        var text = SourceText.From(Source);
        var changes = edits.Select(e =>
        {
            var start = text.Lines.GetPosition(new LinePosition(e!["range"]!["start"]!["line"]!.GetValue<int>(), e["range"]!["start"]!["character"]!.GetValue<int>()));
            var end = text.Lines.GetPosition(new LinePosition(e["range"]!["end"]!["line"]!.GetValue<int>(), e["range"]!["end"]!["character"]!.GetValue<int>()));
            return new TextChange(TextSpan.FromBounds(start, end), e["newText"]!.GetValue<string>());
        });
        Assert.Equal(Source.Replace("new int[0]", "Array.Empty<int>()"), text.WithChanges(changes).ToString());

        // The capturing lambda on line 4: nothing to offer (not static, no state overload for Func).
        var none = await session.Client.RequestAsync("textDocument/codeAction", new
        {
            textDocument = new { uri = Uri },
            range = new { start = new { line = 4, character = 0 }, end = new { line = 4, character = 80 } },
            context = new { diagnostics = Array.Empty<object>() },
        });
        Assert.Empty(none["result"]!.AsArray());

        // A client that asks only for refactorings gets no quick fixes.
        var only = await session.Client.RequestAsync("textDocument/codeAction", new
        {
            textDocument = new { uri = Uri },
            range = new { start = new { line = 3, character = 40 }, end = new { line = 3, character = 40 } },
            context = new { diagnostics = Array.Empty<object>(), only = new[] { "refactor" } },
        });
        Assert.Empty(only["result"]!.AsArray());
        Assert.Equal(0, await session.ShutdownAsync());
    }

    [Fact]
    public async Task Explain_lists_the_fixes_of_the_site()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);
        var explain = await session.Client.RequestAsync("workspace/executeCommand", new { command = "allocationLens.explain", arguments = new object[] { Uri, new { line = 3, character = 40 } } });
        var site = explain["result"]!["sites"]![0]!;
        var fix = Assert.Single(site["fixes"]!.AsArray());
        Assert.Equal("use-empty-array", fix!["id"]!.GetValue<string>());
        var edit = Assert.Single(fix["edit"]!["changes"]![Uri]!.AsArray());
        Assert.Equal("Array.Empty<int>()", edit!["newText"]!.GetValue<string>());
        Assert.Equal(3, edit["range"]!["start"]!["line"]!.GetValue<int>());
    }
}
