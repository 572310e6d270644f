using System.Text.RegularExpressions;
using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Analysis.Tests;

/// <summary>
/// The main suite: every test/fixtures/**/*.cs is compiled in memory and analysed; its //@ markers must
/// account for every site the engine reports (1:1), so precision is tested as well as recall.
/// A fixture may say <c>//@ target(net8.0)</c> to be judged for another runtime (default net10.0),
/// <c>//@ langversion(10)</c> to be compiled as another C# version (default latest), and
/// <c>//@ define(DEBUG)</c> to define preprocessor symbols (default none, as in Release).
/// </summary>
public sealed partial class FixtureTests
{
    [GeneratedRegex(@"//@ target\((?<tfm>[^)]+)\)")]
    internal static partial Regex TargetMarker();

    [GeneratedRegex(@"//@ langversion\((?<version>[^)]+)\)")]
    private static partial Regex LangVersionMarker();

    [GeneratedRegex(@"//@ define\((?<symbol>[^)]+)\)")]
    private static partial Regex DefineMarker();

    /// <summary>The fixture's own language version and preprocessor symbols, when its markers ask for them.</summary>
    internal static Microsoft.CodeAnalysis.CSharp.CSharpCompilation WithFixtureOptions(Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation, string fixture, string text)
    {
        var version = LangVersionMarker().Match(text);
        var symbols = DefineMarker().Matches(text).Select(m => m.Groups["symbol"].Value).ToArray();
        if (!version.Success && symbols.Length == 0) return compilation;
        var tree = compilation.SyntaxTrees.Single();
        var options = (Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)tree.Options;
        if (version.Success)
        {
            Assert.True(Microsoft.CodeAnalysis.CSharp.LanguageVersionFacts.TryParse(version.Groups["version"].Value, out var parsed), $"{fixture}: bad langversion marker");
            options = options.WithLanguageVersion(parsed);
        }
        if (symbols.Length > 0) options = options.WithPreprocessorSymbols(symbols);
        return compilation.ReplaceSyntaxTree(tree, Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(text, options, fixture));
    }

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        var root = Path.Combine(AppContext.BaseDirectory, "fixtures");
        foreach (var file in Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_markers_account_for_every_site(string fixture)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", fixture);
        var text = File.ReadAllText(path);
        var compilation = WithFixtureOptions(InMemoryCompiler.Compile([(fixture, text)], optimize: true), fixture, text);
        bool expectErrors = text.Contains("//@ broken", StringComparison.Ordinal);
        var errors = InMemoryCompiler.Errors(compilation);
        if (!expectErrors) Assert.True(errors.Count == 0, $"{fixture} does not compile:\n{string.Join("\n", errors)}");

        var target = TargetMarker().Match(text) is { Success: true } m ? m.Groups["tfm"].Value : "net10.0";
        var failures = new List<string>();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Parse(target)) { OnInternalError = (n, ex) => failures.Add($"engine failure at {n.GetLocation().GetLineSpan()}: {ex}") };
        var sites = analyzer.Analyze(compilation, compilation.SyntaxTrees.Single());
        var markers = MarkerParser.Parse(fixture, text);

        var claimed = new HashSet<AllocationSite>();
        foreach (var marker in markers)
        {
            var at = sites.Where(s => s.Where.Span.Start == marker.Position).ToList();
            switch (marker.Verb)
            {
                case MarkerVerb.Hint:
                    if (at.Count == 0) { failures.Add($"{marker}: no site here"); break; }
                    var site = at[0];
                    claimed.Add(site);
                    // A cold site's label carries its reason: `heap cold:throw`, `heap once:static-initializer`.
                    var label = site.Kind.ToString().ToLowerInvariant() + (site.Cold is { } cold ? $" {cold.Word}:{cold.Id}" : "");
                    if (label != marker.Expected) failures.Add($"{marker}: got {label}: {site.Message}");
                    if (site.Kind != AllocationKind.Stack && site.Why.IsEmpty) failures.Add($"{marker}: a {label} verdict without a reason");
                    break;
                case MarkerVerb.NoHint:
                    foreach (var s in at) failures.Add($"{marker}: unexpected {s.Kind.ToString().ToLowerInvariant()}: {s.Message}");
                    break;
                case MarkerVerb.Hover:
                    if (at.Count == 0) { failures.Add($"{marker}: no site to hover"); break; }
                    var story = at[0].Message + "\n" + string.Join("\n", at[0].Why.Select(w => w.Text)) + "\n" + string.Join("\n", at[0].Remedies)
                        + (at[0].Cold is { } coldPath ? "\n" + coldPath.Text : "");
                    if (!Regex.IsMatch(story, marker.Expected ?? "")) failures.Add($"{marker}: hover does not match; it says:\n{story}");
                    break;
            }
        }
        foreach (var site in sites.Where(s => !claimed.Contains(s)))
            failures.Add($"{fixture}:{site.Where.Line + 1}:{site.Where.Lines.Start.Character + 1}: unclaimed {site.Kind.ToString().ToLowerInvariant()} site: {site.Message}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
