using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// Nested params calls in one statement (Fixtures/ParamsInOneStatement.cs): the empty ones (`Array.Empty`, a
/// verdict that needs no JIT) never take the allocation of a non-empty one, so every non-empty array is judged.
/// </summary>
[Collection("verification")]
public sealed class ParamsInOneStatementTests(VerificationEnvironment environment, ITestOutputHelper output)
{
    [Fact]
    public async Task Empty_params_arrays_do_not_take_the_allocations_of_their_neighbours()
    {
        var fixture = await FixtureVerification.RunAsync(environment, "ParamsInOneStatement.cs", output);
        var (sites, jit) = (fixture.Sites, fixture.Jit);

        var arrays = sites.Where(s => s.Category is "params" or "array").ToList();
        foreach (var s in arrays)
            output.WriteLine($"{s.Where}: {s.Category} {s.Subject} needsNoJit={s.VerdictNeedsNoJit} jit={(jit.TryGetValue(s, out var j) ? string.Join(",", j.Verdicts.Select(v => v.Kind)) + string.Join(";", j.Notes) : "-")}");
        var nonEmpty = arrays.Where(s => !s.VerdictNeedsNoJit).ToList();
        // root (4 children), pair (2) and one (1): three arrays, each stored in the returned tree.
        Assert.Equal(3, nonEmpty.Count);
        Assert.All(nonEmpty, s => Assert.Equal("heap", Assert.Single(jit[s].Verdicts).Kind));
        Assert.All(arrays.Where(s => s.VerdictNeedsNoJit), s => Assert.False(jit.TryGetValue(s, out var j) && j.Verdicts.Length > 0));
    }
}
