using System.Reflection;
using System.Runtime.Loader;
using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Analysis.Tests;

/// <summary>
/// Call summaries checked against the runtime, where it is cheap: test/runtime/summaries/Calls.cs is
/// compiled in Release and loaded here; each Case_ method makes one call, measured per call at steady
/// state on the runtime running the tests. A summary that counts allocations must allocate, one that
/// counts none must not, and where the summary is certain, loop-free and fully sized its bytes match.
/// </summary>
public sealed class SummaryRuntimeTests(ITestOutputHelper output)
{
    [Fact]
    public void A_call_whose_summary_counts_allocations_allocates_and_one_that_counts_none_does_not()
    {
        var path = Path.Combine(FixtureRoot(), "runtime", "summaries", "Calls.cs");
        var compilation = InMemoryCompiler.Compile([(path, File.ReadAllText(path))], optimize: true, assemblyName: "RuntimeSummaries" + Guid.NewGuid().ToString("N"));
        Assert.Empty(InMemoryCompiler.Errors(compilation));
        using var image = new MemoryStream();
        Assert.True(compilation.Emit(image).Success);
        image.Position = 0;
        var context = new AssemblyLoadContext("summaries", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(image);
            var cases = assembly.GetType("RuntimeSummaries.Cases")!.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name.StartsWith("Case_", StringComparison.Ordinal)).ToList();
            var measured = RuntimeAllocationProbe.MeasureAll(cases).ToDictionary(m => m.Method.Split('.').Last());
            var tree = compilation.SyntaxTrees.Single();
            var failures = new List<string>();
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Where(m => m.Identifier.Text.StartsWith("Case_", StringComparison.Ordinal)))
            {
                var name = declaration.Identifier.Text;
                var summary = Assert.Single(CallSummaries.OfMember(compilation, declaration, TargetRuntime.Net10));
                var m = measured.Single(kv => kv.Key.EndsWith(name, StringComparison.Ordinal)).Value;
                output.WriteLine($"{name}: {summary.Sentence} | measured {m.BytesPerCall:0.#} B per call{(m.Error is null ? "" : " " + m.Error)}");
                if (m.Error is not null || !m.Steady) { failures.Add($"{name}: not measured: {m.Error}"); continue; }
                if ((summary.Total > 0) != m.Allocates) failures.Add($"{name}: the summary says \"{summary.Sentence}\" but the runtime allocates {m.BytesPerCall:0.#} B per call");
                else if (summary.Certain && summary.InLoops == 0 && !summary.UnknownBytes && Math.Abs(summary.Bytes - m.BytesPerCall) >= 8)
                    failures.Add($"{name}: the summary counts {summary.Bytes} B but the runtime allocates {m.BytesPerCall:0.#} B per call");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally { context.Unload(); }
    }

    private static string FixtureRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return Path.Combine(dir, "test");
        throw new InvalidOperationException("server.sln not found");
    }
}
