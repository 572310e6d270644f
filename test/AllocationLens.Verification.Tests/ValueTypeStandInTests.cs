using System.Reflection;
using AllocationLens.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// `box T` in generic methods that the assembly instantiates with reference types only (Fixtures/BoxOfTypeParameter.cs):
/// Verify judges each box in a value-type compilation, and the verdict agrees with the bytes the method allocates
/// per call when a value-type caller runs it (closed over int here, measured at Tier-1).
/// </summary>
[Collection("verification")]
public sealed class ValueTypeStandInTests(VerificationEnvironment environment, ITestOutputHelper output)
{
    [Fact]
    public async Task A_box_of_a_type_parameter_no_value_type_instantiates_is_judged_as_a_value_type_caller_runs_it()
    {
        var fixture = await FixtureVerification.RunAsync(environment, "BoxOfTypeParameter.cs", output);
        var (sites, assembly) = (fixture.Sites, fixture.Assembly);
        var cases = assembly.GetType("BoxOfT.Cases")!.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.StartsWith("Case_", StringComparison.Ordinal)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        var measured = RuntimeAllocationProbe.MeasureAll(cases.Select(m => m.MakeGenericMethod(typeof(int))).ToList());

        var verdicts = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            var name = cases[i].Name;
            var m = measured[i];
            Assert.True(m.Error is null && m.Steady, $"{name}: {m.Error ?? "no steady state"}");
            var span = fixture.MethodSpan(name);
            var box = Assert.Single(sites, s => span.Contains(s.Where.Span.Start) && s.Category == "box");
            var verdict = fixture.Verdict(box);
            output.WriteLine($"{name}: {box.Subject} {verdict}; measured {m.BytesPerCall:0.#} B/call for int");
            Assert.True(verdict is "heap" or "stack", $"{name}: {verdict}");
            Assert.True(verdict == "heap" == m.Allocates, $"{name}: the JIT says {verdict}, an int caller allocates {m.BytesPerCall:0.#} B/call");
            verdicts.Add(verdict);
        }
        // Both outcomes occur: the cases are not all judged alike.
        Assert.Contains("heap", verdicts);
        Assert.Contains("stack", verdicts);
    }
}
