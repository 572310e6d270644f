using System.Text;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace AllocationLens.Analysis.Tests;

/// <summary>
/// Every remedy every fixture produces, checked against the preconditions that make it correct for its
/// site (by the test's own reading of the code, not the engine's), and printed into a snapshot a reviewer
/// reads (test/AllocationLens.Analysis.Tests/Snapshots/remedies.txt; ALLOCATION_LENS_UPDATE_SNAPSHOTS=1
/// rewrites it).
/// </summary>
public sealed class RemedyTests
{
    private const string OnlyWhenThrown = "It allocates only when the exception is thrown";
    private const string ThrowHelper = "throw helper";
    private const string OncePerProcess = "It runs once per process";
    private const string Hoist = "Hoist it out of the loop";

    private sealed record Judged(string Fixture, AllocationSite Site, SemanticModel Model, SyntaxNode Node);

    private static List<Judged> AllFixtureSites()
    {
        var judged = new List<Judged>();
        var root = Path.Combine(AppContext.BaseDirectory, "fixtures");
        foreach (var file in Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            var fixture = Path.GetRelativePath(root, file).Replace('\\', '/');
            var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", fixture));
            if (text.Contains("//@ broken", StringComparison.Ordinal)) continue;
            var compilation = FixtureTests.WithFixtureOptions(InMemoryCompiler.Compile([(fixture, text)], optimize: true), fixture, text);
            var target = FixtureTests.TargetMarker().Match(text) is { Success: true } m ? m.Groups["tfm"].Value : "net10.0";
            var tree = compilation.SyntaxTrees.Single();
            var model = compilation.GetSemanticModel(tree);
            foreach (var site in new AllocationAnalyzer(TargetRuntime.Parse(target)).Analyze(compilation, tree))
                judged.Add(new Judged(fixture, site, model, tree.GetRoot().FindNode(site.Where.Span, getInnermostNodeForTie: true)));
        }
        return judged;
    }

    [Fact]
    public void Every_remedy_fits_its_site()
    {
        var failures = new List<string>();
        var sites = AllFixtureSites();
        Assert.True(sites.Count > 200, $"only {sites.Count} sites: the fixtures did not load");
        foreach (var (fixture, site, model, node) in sites)
        {
            string at = $"{fixture}:{site.Where.Line + 1}: {site.Subject}";
            void Fail(string what) => failures.Add($"{at}: {what}");
            if (site.Kind == AllocationKind.Stack && !site.Remedies.IsEmpty) Fail("a stack site has remedies");
            if (site.Kind == AllocationKind.Stack && site.Cold is not null) Fail("a stack site is called cold");

            if (site.Cold is { } cold)
            {
                if (cold.RunsOnce)
                {
                    if (site.Remedies is not [var once] || !once.StartsWith(OncePerProcess, StringComparison.Ordinal)) Fail($"a {cold.Id} site must say only that it runs once: {string.Join(" | ", site.Remedies)}");
                }
                else if (cold.Throws)
                {
                    if (!site.Remedies.Any(r => r.StartsWith(OnlyWhenThrown, StringComparison.Ordinal))) Fail("a throw must say it allocates only when it throws");
                    bool inHelper = cold.Reason == ColdReason.DoesNotReturn || EnclosingMethodDoesNotReturn(model, node);
                    if (inHelper && site.Remedies.Any(r => r.Contains(ThrowHelper, StringComparison.Ordinal))) Fail("suggests a throw helper inside (or as an argument of) a throw helper");
                    if (!inHelper && !site.Remedies.Any(r => r.Contains(ThrowHelper, StringComparison.Ordinal))) Fail("a throw in an ordinary method should mention a throw helper");
                    if (site.Remedies.Length > 2) Fail($"a throw gets only its two sentences: {string.Join(" | ", site.Remedies)}");
                }
                else if (!site.Remedies.IsEmpty) Fail($"a {cold.Id} site has no remedy that fits, yet shows: {string.Join(" | ", site.Remedies)}");
            }

            foreach (var remedy in site.Remedies)
            {
                if (remedy.Contains("make the type a struct", StringComparison.Ordinal) || remedy.Contains("use a record struct", StringComparison.Ordinal))
                {
                    var type = AllocatedType(model, node);
                    if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class } named || named.BaseType?.SpecialType != SpecialType.System_Object || !named.Locations.Any(l => l.IsInSource))
                        Fail($"suggests a struct for `{type?.ToDisplayString()}` (base `{(type as INamedTypeSymbol)?.BaseType?.ToDisplayString()}`), which is not a source class deriving from object");
                }
                if (remedy.Contains("stackalloc", StringComparison.Ordinal) || remedy.Contains("ArrayPool", StringComparison.Ordinal) || remedy.Contains("constant-length array local", StringComparison.Ordinal))
                {
                    if (InFieldInitializer(node)) Fail($"suggests `{remedy}` in a field initializer");
                    if (site.Message.Contains(" escapes: ", StringComparison.Ordinal) || VisiblyEscapes(node)) Fail($"suggests `{remedy}` for an array that escapes");
                    if (remedy.Contains("stackalloc", StringComparison.Ordinal) && AllocatedType(model, node) is IArrayTypeSymbol { ElementType.IsUnmanagedType: false })
                        Fail("suggests stackalloc for an array of managed elements");
                }
                if (remedy.StartsWith(Hoist, StringComparison.Ordinal))
                {
                    if (site.Cold is not null) Fail("suggests hoisting a cold site out of a loop");
                    if (site.LoopDepth == 0) Fail("suggests hoisting a site that is in no loop");
                    if (site.Message.Contains(" escapes: ", StringComparison.Ordinal) || VisiblyEscapes(node)) Fail("suggests reusing one instance of a value that escapes");
                }
                if (remedy.StartsWith("Keep the object local", StringComparison.Ordinal) && InFieldInitializer(node))
                    Fail("suggests keeping local an object stored by a field initializer");
            }
        }

        // The checks above must have had something to check: each cold remedy is produced, and the struct
        // remedy is withheld from an exception created on a normal path (the shape that used to get it).
        var all = sites.SelectMany(s => s.Site.Remedies).ToList();
        foreach (var expected in new[] { OnlyWhenThrown, ThrowHelper, OncePerProcess, Hoist, "make the type a struct", "ArrayPool", "stackalloc" })
            if (!all.Any(r => r.Contains(expected, StringComparison.Ordinal))) failures.Add($"no fixture produces a remedy with \"{expected}\": the precondition is untested");
        var exceptionMade = sites.Where(s => s.Site.Cold is null && s.Site.Kind == AllocationKind.Heap && s.Site.TypeName.EndsWith("Exception", StringComparison.Ordinal)).ToList();
        if (exceptionMade.Count == 0) failures.Add("no fixture creates an exception on a normal path");
        foreach (var s in exceptionMade)
            if (s.Site.Remedies.Any(r => r.Contains("struct", StringComparison.Ordinal))) failures.Add($"{s.Fixture}:{s.Site.Where.Line + 1}: an exception is offered a struct");

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Remedy_snapshot_is_current()
    {
        var text = new StringBuilder();
        text.AppendLine("# Every remedy the fixtures produce, by site (written by RemedyTests; a reviewer reads it).");
        text.AppendLine("# fixture:line  kind[ cold:reason][ loop:depth]  category  type  subject");
        foreach (var (fixture, site, _, _) in AllFixtureSites().OrderBy(s => s.Fixture, StringComparer.Ordinal).ThenBy(s => s.Site.Where.Span.Start))
        {
            if (site.Kind == AllocationKind.Stack) continue;
            string cold = site.Cold is { } c ? $" {c.Word}:{c.Id}" : "";
            text.AppendLine($"{fixture}:{site.Where.Line + 1}  {site.Kind.ToString().ToLowerInvariant()}{cold}{(site.LoopDepth > 0 ? $" loop:{site.LoopDepth}" : "")}  {site.Category}  {site.TypeName}  {OneLine(site.Subject)}");
            if (site.Remedies.IsEmpty) text.AppendLine("    (no remedy)");
            foreach (var remedy in site.Remedies) text.AppendLine("    - " + remedy);
        }
        var path = Path.Combine(RepositoryRoot(), "test", "AllocationLens.Analysis.Tests", "Snapshots", "remedies.txt");
        var actual = text.ToString().Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("ALLOCATION_LENS_UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"{path} is missing: run with ALLOCATION_LENS_UPDATE_SNAPSHOTS=1 and review it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected != actual)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            int i = 0;
            while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
            Assert.Fail($"the remedies differ from {path} at line {i + 1}:\n  snapshot: {(i < e.Length ? e[i] : "<end>")}\n  now:      {(i < a.Length ? a[i] : "<end>")}\nReview the change, then rerun with ALLOCATION_LENS_UPDATE_SNAPSHOTS=1.");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }

    private static string OneLine(string s) => s.Replace('\n', ' ').Replace('\r', ' ');

    private static ITypeSymbol? AllocatedType(SemanticModel model, SyntaxNode node)
    {
        var expression = node as ExpressionSyntax ?? node.FirstAncestorOrSelf<ExpressionSyntax>();
        return expression is null ? null : model.GetTypeInfo(expression).Type;
    }

    private static bool EnclosingMethodDoesNotReturn(SemanticModel model, SyntaxNode node) =>
        node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method
        && model.GetDeclaredSymbol(method)?.GetAttributes().Any(a => a.AttributeClass?.Name == "DoesNotReturnAttribute") == true
        && node.Ancestors().TakeWhile(a => a != method).All(a => a is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax));

    private static bool InFieldInitializer(SyntaxNode node) =>
        node.FirstAncestorOrSelf<EqualsValueClauseSyntax>() is { Parent: VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax } or PropertyDeclarationSyntax };

    /// <summary>Returned, or assigned to something that is not a local: escapes, whatever the engine says.</summary>
    private static bool VisiblyEscapes(SyntaxNode node)
    {
        var parent = node.Parent;
        while (parent is ParenthesizedExpressionSyntax or CastExpressionSyntax) parent = parent.Parent;
        return parent switch
        {
            ReturnStatementSyntax or ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax or PropertyDeclarationSyntax } => true,
            AssignmentExpressionSyntax a when a.Right == node || a.Right.Span.Contains(node.Span) => a.Left is MemberAccessExpressionSyntax or ElementAccessExpressionSyntax,
            _ => false,
        };
    }
}
