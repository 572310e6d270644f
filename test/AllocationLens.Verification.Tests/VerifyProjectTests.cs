using Xunit;
using System.Text.Json;
using AllocationLens.Cli;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// `analyze --verify` on a real net8.0 project, judged by the real JIT of .NET 8.0.34 and 10.0.12:
/// where the runtimes' JITs differ the verdicts differ, every compiler-generated method is covered,
/// and what cannot be compiled is listed with its reason.
/// </summary>
[Collection("verification")]
public class VerifyProjectTests(VerificationEnvironment environment)
{
    private static readonly SemaphoreSlim Once = new(1);
    private static JsonElement? _report;

    private async Task<JsonElement> Report()
    {
        await Once.WaitAsync();
        try
        {
            if (_report is { } cached) return cached;
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var options = new AnalyzeOptions(environment.Project("VerifyNet8"), "json", null, Verify: true, RuntimeFilter: ["8.0", "10.0"]);
            int exit = await AnalyzeCommand.RunAsync(options, AllocationLens.Workspace.MsBuildRegistration.EnsureRegistered(), stdout, stderr);
            Assert.True(exit == 0, stderr.ToString());
            _report = JsonDocument.Parse(stdout.ToString()).RootElement.Clone();
            return _report.Value;
        }
        finally { Once.Release(); }
    }

    private JsonElement SiteOn(JsonElement report, string code, string category)
    {
        var lines = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(environment.Project("VerifyNet8"))!, "Cases.cs"));
        int line = Array.FindIndex(lines, l => l.Contains(code, StringComparison.Ordinal)) + 1;
        Assert.True(line > 0, $"no line contains {code}");
        return report.GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("line").GetInt32() == line && s.GetProperty("category").GetString() == category);
    }

    private static Dictionary<string, string> Jit(JsonElement site) =>
        site.TryGetProperty("jit", out var jit)
            ? jit.EnumerateArray().ToDictionary(v => v.GetProperty("runtime").GetString()!, v => v.GetProperty("kind").GetString()!)
            : [];

    [Fact]
    public async Task An_object_that_never_escapes_is_heap_on_NET_8_and_stack_on_NET_10()
    {
        var jit = Jit(SiteOn(await Report(), "new Point { X = 1, Y = 2 }", "object"));
        Assert.Equal("heap", jit["8.0.34"]);
        Assert.Equal("stack", jit["10.0.12"]);
    }

    [Fact]
    public async Task A_small_local_array_is_stack_allocated_from_NET_10_only()
    {
        var jit = Jit(SiteOn(await Report(), "new int[4]", "array"));
        Assert.Equal(("heap", "stack"), (jit["8.0.34"], jit["10.0.12"]));
    }

    [Fact]
    public async Task Escaping_objects_are_heap_on_every_runtime()
    {
        var report = await Report();
        Assert.All(new[] { "public object Escapes()", "_kept = new Point()" }, code =>
            Assert.Equal(["heap", "heap"], Jit(SiteOn(report, code, "object")).OrderBy(p => p.Key).Select(p => p.Value)));
        Assert.Equal(["10.0.12", "8.0.34"], report.GetProperty("verification").GetProperty("runtimes").EnumerateArray().Select(r => r.GetString()!));
    }

    [Fact]
    public async Task Iterator_and_lambda_bodies_are_judged_in_their_compiler_generated_methods()
    {
        var report = await Report();
        // MoveNext is a new virtual slot, which .NET 9 and 10 only compile once it has an entry point.
        Assert.Equal(2, Jit(SiteOn(report, "yield return new Point()", "object")).Count);
        Assert.Equal(2, Jit(SiteOn(report, "() => new Point()", "object")).Count);
    }

    [Fact]
    public async Task A_generic_types_interface_method_is_compiled_and_its_lookup_allocation_judged()
    {
        var report = await Report();
        // Put is a new virtual slot of a generic type: compiled only once its closed method has an entry point.
        Assert.DoesNotContain(report.GetProperty("unprepared").EnumerateArray(), u => u.GetProperty("method").GetString()!.Contains("Sink", StringComparison.Ordinal));
        // Returned, so kept on both runtimes, though no constant names List<T> in the shared code.
        var verdicts = Jit(SiteOn(report, "new List<T> { item }", "object"));
        Assert.Equal(new Dictionary<string, string> { ["8.0.34"] = "heap", ["10.0.12"] = "heap" }, verdicts);
    }

    [Fact]
    public async Task A_box_of_a_type_parameter_is_judged_in_the_value_type_instantiation_the_assembly_uses()
    {
        var verdicts = Jit(SiteOn(await Report(), "where T : struct => value", "box"));
        Assert.Equal(new Dictionary<string, string> { ["8.0.34"] = "heap", ["10.0.12"] = "heap" }, verdicts);
    }

    [Fact]
    public async Task A_constraint_on_a_later_type_parameter_does_not_leave_the_method_unprepared()
    {
        var report = await Report();
        Assert.DoesNotContain(report.GetProperty("unprepared").EnumerateArray(), u => u.GetProperty("method").GetString()!.EndsWith(".Pair", StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, string> { ["8.0.34"] = "heap", ["10.0.12"] = "heap" }, Jit(SiteOn(report, "new List<TValue> { value }", "object")));
    }

    [Fact]
    public async Task A_method_that_cannot_be_compiled_is_listed_with_its_reason()
    {
        var unprepared = (await Report()).GetProperty("unprepared").EnumerateArray().ToList();
        var entry = Assert.Single(unprepared, u => u.GetProperty("method").GetString()!.EndsWith(".Unpreparable", StringComparison.Ordinal));
        Assert.Contains("constraints", entry.GetProperty("reason").GetString());
        Assert.Equal(2, entry.GetProperty("runtimes").GetArrayLength());
        // Its sites say why, once per runtime.
        var notes = JitNotes(SiteOn(await Report(), "new T().Value + new int[1].Length", "array"));
        Assert.Equal(2, notes.Count);
        Assert.All(notes, n => Assert.Contains("the JIT could not compile Unpreparable: no type argument satisfies the constraints of T", n));
    }

    [Fact]
    public async Task A_site_with_no_allocating_IL_instruction_says_why_it_is_not_judged()
    {
        var site = SiteOn(await Report(), "day.ToString()", "box");
        Assert.Empty(Jit(site));
        Assert.Equal([VerificationRun.NoInstruction], JitNotes(site));
    }

    private static List<string> JitNotes(JsonElement site) =>
        site.TryGetProperty("jitNotes", out var notes) ? notes.EnumerateArray().Select(n => n.GetString()!).ToList() : [];
}
