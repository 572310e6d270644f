using System.Text.RegularExpressions;
using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Analysis.Tests;

/// <summary>
/// Call summaries and parameter escape facts, from fixture markers: <c>//@ calls("Make()", re"...")</c>
/// matches the summary of the call named at the locator (its sentence, notes and resolution, one per line),
/// <c>//@ param("p)", re"...")</c> the fact of the parameter named there. (FixtureTests checks the same
/// fixtures' hint markers.)
/// </summary>
public sealed class SummaryFixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var fixture in FixtureTests.Fixtures())
        {
            var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", fixture));
            if (MarkerParser.Parse(fixture, text).Any(m => m.Verb is MarkerVerb.Calls or MarkerVerb.Param)) data.Add(fixture);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Summary_and_parameter_markers_hold(string fixture)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", fixture));
        var compilation = InMemoryCompiler.Compile([(fixture, text)], optimize: true);
        var tree = compilation.SyntaxTrees.Single();
        var failures = new List<string>();
        void OnError(Microsoft.CodeAnalysis.SyntaxNode node, Exception ex) => failures.Add($"engine failure at {node.GetLocation().GetLineSpan()}: {ex}");
        foreach (var marker in MarkerParser.Parse(fixture, text))
        {
            string? story = marker.Verb switch
            {
                MarkerVerb.Calls => CallSummaries.At(compilation, tree, marker.Position, TargetRuntime.Net10, default, OnError) is { } s ? Story(s) : null,
                MarkerVerb.Param => ParameterEscape.At(compilation, tree, marker.Position, TargetRuntime.Net10, default, OnError) is { } p
                    ? p.Sentence + "\n" + string.Join("\n", p.Why.Select(w => w.Text)) : null,
                _ => "",
            };
            if (marker.Verb is not (MarkerVerb.Calls or MarkerVerb.Param)) continue;
            if (story is null) failures.Add($"{marker}: nothing there");
            else if (!Regex.IsMatch(story, marker.Expected ?? "", RegexOptions.Multiline)) failures.Add($"{marker}: does not match; it says:\n{story}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Invariant 4 for summaries: on every fixture (broken code included), every call and every parameter answers without an engine failure.</summary>
    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Summaries_and_parameter_facts_never_fail(string fixture)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", fixture));
        var compilation = InMemoryCompiler.Compile([(fixture, text)], optimize: true);
        var tree = compilation.SyntaxTrees.Single();
        var failures = new List<string>();
        void OnError(Microsoft.CodeAnalysis.SyntaxNode node, Exception ex) => failures.Add($"engine failure at {node.GetLocation().GetLineSpan()}: {ex}");
        var root = tree.GetRoot();
        CallSummaries.In(compilation, tree, root.FullSpan, TargetRuntime.Net10, default, OnError);
        foreach (var parameter in root.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax>())
            ParameterEscape.At(compilation, tree, parameter.Identifier.SpanStart, TargetRuntime.Net10, default, OnError);
        foreach (var name in root.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.SimpleNameSyntax>())
            CallSummaries.At(compilation, tree, name.SpanStart, TargetRuntime.Net10, default, OnError);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    public static TheoryData<string> AllFixtures() => FixtureTests.Fixtures();

    public static string Story(CallSummary s) =>
        string.Join("\n", new[] { s.Sentence }.Concat(s.Resolution is { } r ? [r] : []).Concat(s.Notes)
            .Concat(s.Sites.Select(x => $"{x.Kind.ToString().ToLowerInvariant()} {x.Subject} in {x.Inside} (line {x.Where.Line + 1})")));
}
