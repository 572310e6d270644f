using System.Reflection;
using AllocationLens.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// Several same-typed allocations in one method of which the JIT keeps only some (Fixtures/SameTypedAllocations.cs):
/// each is judged through the runtime's IL map, and the verdicts agree with the bytes the method allocates per
/// call, measured here at Tier-1: the number of sites judged heap times the bytes of one such allocation.
/// </summary>
[Collection("verification")]
public sealed class IlOrderVerificationTests(VerificationEnvironment environment, ITestOutputHelper output)
{
    [Fact]
    public async Task Same_typed_allocations_of_which_only_some_remain_are_each_judged_as_the_runtime_allocates()
    {
        var fixture = await FixtureVerification.RunAsync(environment, "SameTypedAllocations.cs", output);
        var (sites, assembly) = (fixture.Sites, fixture.Assembly);
        var type = assembly.GetType("SameTyped.Cases")!;
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.StartsWith("Case_", StringComparison.Ordinal) || m.Name.StartsWith("Unit_", StringComparison.Ordinal))
            .OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        var measured = RuntimeAllocationProbe.MeasureAll(methods).ToDictionary(m => m.Method);
        double Bytes(string method)
        {
            var m = measured.Values.Single(v => v.Method.EndsWith(method, StringComparison.Ordinal));
            Assert.True(m.Error is null && m.Steady, $"{method}: {m.Error ?? "no steady state"}");
            return m.BytesPerCall;
        }

        var cases = methods.Where(m => m.Name.StartsWith("Case_", StringComparison.Ordinal)).Select(m => m.Name).ToList();
        Assert.NotEmpty(cases);
        int stackVerdicts = 0;
        foreach (var name in cases)
        {
            var unit = Bytes("Unit_" + name.Split('_')[1]);
            Assert.True(unit >= 24, $"{name}: the unit allocates {unit} B");
            var span = fixture.MethodSpan(name);
            var own = sites.Where(s => span.Contains(s.Where.Span.Start) && SiteMatcher.ExpectsJitVerdict(s)).ToList();
            Assert.True(own.Count >= 2, $"{name}: {own.Count} sites");
            var kinds = own.Select(fixture.Verdict).ToList();
            output.WriteLine($"{name}: {string.Join(", ", own.Select((s, i) => $"{s.Subject} {kinds[i]}"))}; measured {Bytes(name):0.#} B/call, unit {unit:0.#} B");
            Assert.All(kinds, k => Assert.True(k is "heap" or "stack", $"{name}: {k}"));
            // Some remain and some do not: the cases are the ones counting alone cannot judge.
            Assert.Contains("stack", kinds);
            Assert.Contains("heap", kinds);
            stackVerdicts += kinds.Count(k => k == "stack");
            Assert.Equal(kinds.Count(k => k == "heap") * unit, Bytes(name), precision: 0);
        }
        Assert.True(stackVerdicts >= cases.Count);
    }
}
