using System.Reflection;
using AllocationLens.TestSupport;
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
        var fixture = await FixtureVerification.RunAsync(environment, "ConstrainedGenerics.cs", output);
        var (sites, assembly) = (fixture.Sites, fixture.Assembly);
        var unprepared = fixture.Run.Runtimes[0].Unprepared;
        Assert.True(unprepared.Count == 0, string.Join("\n", unprepared.Select(u => $"{u.Method}: {u.Reason}")));

        // Reference-type callers that satisfy each method's constraints: all run the one shared body the JIT judged.
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
        for (int i = 0; i < names.Count; i++)
        {
            var m = measured[i];
            Assert.True(m.Error is null && m.Steady, $"{names[i]}: {m.Error ?? "no steady state"}");
            var span = fixture.MethodSpan(names[i]);
            var site = Assert.Single(sites, s => span.Contains(s.Where.Span.Start) && SiteMatcher.ExpectsJitVerdict(s));
            var verdict = fixture.Verdict(site);
            output.WriteLine($"{names[i]}: {site.Subject} {verdict}; measured {m.BytesPerCall:0.#} B/call");
            Assert.True(verdict is "heap" or "stack", $"{names[i]}: {verdict}");
            Assert.True(verdict == "heap" == m.Allocates, $"{names[i]}: the JIT says {verdict}, the runtime allocates {m.BytesPerCall:0.#} B/call");
        }
    }
}
