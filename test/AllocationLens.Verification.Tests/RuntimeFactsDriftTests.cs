using AllocationLens.RuntimeFacts;
using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// The engine's runtime facts (server/AllocationLens.Analysis/RuntimeFacts/net*.facts) must be what the
/// runtimes say today: on each runtime scripts/runtimes.sh lays out, the generator runs again (every
/// inlining probe and call probe, and the sizes of the framework types the engine sizes most) and its
/// lines must equal the checked-in table's. A difference means the table drifted from the runtime (or a
/// probe changed): regenerate with scripts/runtime-facts.sh and review the diff.
/// </summary>
public sealed class RuntimeFactsDriftTests(VerificationEnvironment environment, ITestOutputHelper output) : IClassFixture<VerificationEnvironment>
{
    private static readonly string[] SizedTypes =
    [
        "System.Object", "System.Exception", "System.ArgumentException", "System.InvalidOperationException",
        "System.Text.StringBuilder", "System.Random", "System.Version", "System.Uri", "System.Lazy`1", "System.Tuple`2", "System.Tuple`3",
        "System.Collections.Generic.List`1", "System.Collections.Generic.List`1+Enumerator", "System.Collections.Generic.Dictionary`2",
        "System.Collections.Generic.HashSet`1", "System.Collections.Generic.HashSet`1+Enumerator", "System.Collections.Generic.Queue`1",
        "System.Collections.Generic.Stack`1", "System.Collections.Generic.KeyValuePair`2", "System.Collections.Concurrent.ConcurrentDictionary`2",
        "System.Collections.ObjectModel.ReadOnlyCollection`1", "System.Threading.CancellationTokenSource", "System.Threading.Tasks.Task",
        "System.Threading.Tasks.Task`1", "System.IO.MemoryStream", "System.Text.RegularExpressions.Regex", "System.EventArgs",
        "System.Guid", "System.DateTimeOffset", "System.TimeSpan", "System.Decimal", "System.Int32", "System.ValueTuple`2",
    ];

    public static TheoryData<string> Runtimes => new() { "8.0.34", "9.0.23", "10.0.12", "11.0.0" };

    [Theory]
    [MemberData(nameof(Runtimes))]
    public async Task Regenerating_on_the_runtime_gives_the_checked_in_table(string version)
    {
        var runtime = InstalledRuntimes.Discover().FirstOrDefault(r => r.VersionText == version);
        Assert.True(runtime is not null, $".NET {version} is not laid out (scripts/runtimes.sh)");
        var regenerated = Lines(await RuntimeFactsGenerator.GenerateAsync(runtime!, SizedTypes, CancellationToken.None));
        var tablePath = Path.Combine(environment.RepositoryRoot, "server", "AllocationLens.Analysis", "RuntimeFacts", $"net{runtime!.Version.Major}.0.facts");
        var sized = new HashSet<string>(SizedTypes, StringComparer.Ordinal);
        var table = Lines(await File.ReadAllTextAsync(tablePath))
            .Where(l => !l.StartsWith("size\t", StringComparison.Ordinal) || sized.Contains(l.Split('\t')[1]))
            .ToList();

        var missing = table.Except(regenerated).ToList();
        var added = regenerated.Except(table).ToList();
        foreach (var line in missing) output.WriteLine($"- {line}");
        foreach (var line in added) output.WriteLine($"+ {line}");
        Assert.True(missing.Count == 0 && added.Count == 0,
            $"{tablePath} drifted from .NET {version} ({missing.Count} lines differ, {added.Count} new): run scripts/runtime-facts.sh and review the diff\n"
            + string.Join("\n", missing.Select(l => "- " + l).Concat(added.Select(l => "+ " + l)).Take(20)));
        Assert.Contains(regenerated, l => l.StartsWith("size\tSystem.Collections.Generic.List`1\t32", StringComparison.Ordinal));
    }

    private static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
}
