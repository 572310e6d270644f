using System.Reflection;
using System.Runtime.Loader;
using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// Generic methods whose constraints no simple stand-in satisfies (Fixtures/ConstrainedGenerics.cs): Verify finds
/// type arguments that satisfy them, so none is left unprepared, every site is judged, and each verdict agrees
/// with the bytes the shared code allocates per call when a reference-type caller runs it (measured at Tier-1).
/// </summary>
[Collection("verification")]
public sealed class ConstrainedGenericsTests(VerificationEnvironment environment, ITestOutputHelper output)
{
    [Fact]
    public async Task Methods_with_constraints_over_other_parameters_are_compiled_and_judged_as_the_runtime_allocates()
    {
        var file = Path.GetFullPath(Path.Combine(environment.RepositoryRoot, "test", "AllocationLens.Verification.Tests", "Fixtures", "ConstrainedGenerics.cs"));
        var tree = AdHocCompilation.Parse(File.ReadAllText(file), file);
        var sites = new AllocationAnalyzer(TargetRuntime.Parse("net10.0")).AnalyzeAll(AdHocCompilation.Create([tree]), [tree]).SelectMany(s => s).ToList();

        var run = await JitVerifier.VerifyAsync(new VerifyRequest(null, [file], "net10.0", [], ["10.0"]), output.WriteLine, CancellationToken.None);
        Assert.True(run.Succeeded, run.Problem);
        var outcome = Assert.Single(run.Runtimes);
        Assert.Null(outcome.Error);
        Assert.True(outcome.Unprepared.Count == 0, string.Join("\n", outcome.Unprepared.Select(u => $"{u.Method}: {u.Reason}")));
        var jit = run.MatchSites(sites);

        // Reference-type callers that satisfy each method's constraints: all run the one shared body the JIT judged.
        var assembly = new AssemblyLoadContext("constrained", isCollectible: false).LoadFromAssemblyPath(run.Build!.AssemblyPath!);
        Type T(string name) => assembly.GetType("Constrained." + name, throwOnError: true)!;
        var cases = new Dictionary<string, MethodInfo>
        {
            ["Case_MethodConstraintNamesTypeParameter"] = T("Holder`1").MakeGenericType(typeof(string)).GetMethod("Case_MethodConstraintNamesTypeParameter")!
                .MakeGenericMethod(T("IValidator`1").MakeGenericType(typeof(string))),
            ["Case_BaseOverAnotherParameter"] = T("Cases").GetMethod("Case_BaseOverAnotherParameter")!.MakeGenericMethod(typeof(string), T("Bucket`1").MakeGenericType(typeof(string))),
            ["Case_SelfReferential"] = T("Cases").GetMethod("Case_SelfReferential")!.MakeGenericMethod(typeof(string)),
            ["Case_BareParameter"] = T("Cases").GetMethod("Case_BareParameter")!.MakeGenericMethod(typeof(object), typeof(string)),
        };
        var names = cases.Keys.ToList();
        var measured = RuntimeAllocationProbe.MeasureAll(names.Select(n => cases[n]).ToList());
        var declarations = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().ToDictionary(d => d.Identifier.Text);
        for (int i = 0; i < names.Count; i++)
        {
            var m = measured[i];
            Assert.True(m.Error is null && m.Steady, $"{names[i]}: {m.Error ?? "no steady state"}");
            var span = declarations[names[i]].Span;
            var site = Assert.Single(sites, s => span.Contains(s.Where.Span.Start) && SiteMatcher.ExpectsJitVerdict(s));
            var verdict = jit.TryGetValue(site, out var j) && j.Verdicts.Length > 0 ? j.Verdicts[0].Kind
                : $"unjudged ({(jit.TryGetValue(site, out var n) ? string.Join("; ", n.Notes) : "no note")})";
            output.WriteLine($"{names[i]}: {site.Subject} {verdict}; measured {m.BytesPerCall:0.#} B/call");
            Assert.True(verdict is "heap" or "stack", $"{names[i]}: {verdict}");
            Assert.True(verdict == "heap" == m.Allocates, $"{names[i]}: the JIT says {verdict}, the runtime allocates {m.BytesPerCall:0.#} B/call");
        }
    }
}
