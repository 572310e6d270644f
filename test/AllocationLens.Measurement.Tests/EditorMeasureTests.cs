using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AllocationLens.Server;
using AllocationLens.TestSupport;
using AllocationLens.Workspace;
using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>
/// "Measure allocations" as the editor runs it: the language server starts `allocation-lens measure` as a
/// child process on a copy of the fixture, then hints, hovers, lenses and the view show what the run
/// measured, an edited member drops its measurement, and a new server finds the others again. Expected
/// volumes are the runtime's own counts (the fixture's measure-expected files), never the tool's output.
/// </summary>
[Collection(FixtureCollection.Name)]
public sealed class EditorMeasureTests
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "allocation-lens.dll");

    private sealed class Session : IAsyncDisposable
    {
        public LspTestClient Client { get; } = new();
        public LanguageServer Server { get; }
        private readonly Task<int> _run;

        public Session(string measurementsFile, bool trusted = true)
        {
            Server = new LanguageServer(Client.ServerInput, Client.ServerOutput)
            {
                LoadProjects = trusted, MeasureCommandLine = ["dotnet", Cli], MeasurementsFile = measurementsFile,
            };
            Trusted = trusted;
            _run = Server.RunAsync();
        }

        private bool Trusted { get; }

        public async Task StartAsync(string root)
        {
            var response = await Client.RequestAsync("initialize", new
            {
                processId = (int?)null, rootUri = UriPaths.ToUri(root),
                capabilities = new { workspace = new { inlayHint = new { refreshSupport = true }, codeLens = new { refreshSupport = true } }, window = new { workDoneProgress = true } },
                initializationOptions = new { trusted = Trusted },
            });
            Assert.Null(response["error"]);
            await Client.NotifyAsync("initialized", new { });
        }

        public Task OpenAsync(string path) => Client.NotifyAsync("textDocument/didOpen",
            new { textDocument = new { uri = UriPaths.ToUri(path), languageId = "csharp", version = 1, text = File.ReadAllText(path) } });

        public async Task<JsonObject> CommandAsync(string command, object[] arguments, TimeSpan timeout)
        {
            var response = await Client.RequestAsync("workspace/executeCommand", new { command, arguments }, timeout);
            Assert.Null(response["error"]);
            return response["result"]!.AsObject();
        }

        /// <summary>The hint labels on a 0-based line.</summary>
        public async Task<string[]> HintsOnLine(string path, int line)
        {
            var response = await Client.RequestAsync("textDocument/inlayHint", new
            {
                textDocument = new { uri = UriPaths.ToUri(path) },
                range = new { start = new { line, character = 0 }, end = new { line = line + 1, character = 0 } },
            });
            return response["result"]!.AsArray().Where(h => h!["position"]!["line"]!.GetValue<int>() == line).Select(h => h!["label"]!.GetValue<string>()).ToArray();
        }

        public async Task<string> HoverAsync(string path, int line, int character)
        {
            var response = await Client.RequestAsync("textDocument/hover", new { textDocument = new { uri = UriPaths.ToUri(path) }, position = new { line, character } });
            return response["result"]?["contents"]?["value"]?.GetValue<string>() ?? "";
        }

        public async Task<JsonArray> LensesAsync(string path) =>
            (await Client.RequestAsync("textDocument/codeLens", new { textDocument = new { uri = UriPaths.ToUri(path) } }))["result"]!.AsArray();

        public async ValueTask DisposeAsync()
        {
            await Client.RequestAsync("shutdown", null);
            await Client.NotifyAsync("exit", null);
            await _run.WaitAsync(TimeSpan.FromMinutes(2));
            // The server's project load outlives `exit` in this process (a real server's process ends with it):
            // it may still restore and build in the workspace, which the test deletes next (CI: "Directory not empty").
            await LspTestClient.Eventually(() => !Server.Host.LoadInProgress, TimeSpan.FromMinutes(2), "the server's load to end");
            await Client.DisposeAsync();
        }
    }

    /// <summary>A copy of the fixture in a temporary folder, as a user's workspace (edits and builds never touch the checkout).</summary>
    private static string CopyFixture()
    {
        var dir = Directory.CreateTempSubdirectory("al-measure-editor-").FullName;
        foreach (var file in Directory.EnumerateFiles(MeasureRun.Fixture, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(MeasureRun.Fixture, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, relative))!);
            File.Copy(file, Path.Combine(dir, relative));
        }
        File.Copy(Path.Combine(MeasureRun.Root, "test", "projects", "Directory.Build.props"), Path.Combine(dir, "Directory.Build.props"));
        return dir;
    }

    private static (int Line, int Character) Marked(string file, string name)
    {
        var lines = File.ReadAllLines(file);
        int line = Array.FindIndex(lines, l => l.Contains($"// measure: {name}", StringComparison.Ordinal));
        Assert.True(line >= 0, name);
        return (line, lines[line].IndexOf("=> ", StringComparison.Ordinal) + 3);
    }

    private static double MegabytesIn(string label)
    {
        var match = Regex.Match(label, @"· ([0-9.]+) MB");
        Assert.True(match.Success, $"no measured MB in `{label}`");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Measure_from_the_editor_shows_measured_hints_hovers_lenses_and_view_and_an_edit_drops_only_its_member()
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        var workspace = CopyFixture();
        var store = Path.Combine(workspace, "..", Path.GetFileName(workspace) + "-measurements.json");
        var workloads = Path.Combine(workspace, "Workloads.cs");
        var objects = Marked(workloads, "objects");
        var boxes = Marked(workloads, "boxes");
        try
        {
            await using (var session = new Session(store))
            {
                await session.StartAsync(workspace);
                await session.OpenAsync(workloads);
                // Before any run: plain hints, and a measure lens above each test.
                Assert.DoesNotContain(await session.HintsOnLine(workloads, objects.Line), l => l.Contains("MB"));
                var lenses = await session.LensesAsync(workloads);
                Assert.Contains(lenses, l => l!["command"]!["command"]!.GetValue<string>() == LanguageServer.ClientMeasureTestsCommand
                    && l["command"]!["arguments"]![0]!["filter"]!.GetValue<string>() == "FullyQualifiedName=MeasureFixture.Workloads.Objects");

                var result = await session.CommandAsync(LanguageServer.MeasureCommand, [], TimeSpan.FromMinutes(8));
                Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
                Assert.Contains("sampled", result["message"]!.GetValue<string>());

                // The hint keeps its word and gains the measurement, within ±25% of what the runtime counted.
                var expected = File.ReadAllText(Path.Combine(workspace, "bin", "Release", "net10.0", "measure-expected", "objects.txt")).Split(' ');
                double expectedMb = double.Parse(expected[0], CultureInfo.InvariantCulture) / 1e6;
                var objectsHint = Assert.Single(await session.HintsOnLine(workloads, objects.Line), l => l.StartsWith("heap", StringComparison.Ordinal));
                Assert.InRange(MegabytesIn(objectsHint), expectedMb * 0.75, expectedMb * 1.25);
                Assert.Contains(await session.HintsOnLine(workloads, boxes.Line), l => l.StartsWith("boxed · ", StringComparison.Ordinal));

                var hover = await session.HoverAsync(workloads, objects.Line, objects.Character + 5);
                Assert.Contains("**Measured: ~", hover);
                Assert.Contains("(sampled)", hover);
                Assert.Contains("Measured by dotnet test", hover);
                // Only the Objects test calls MakeNode: the hover names it as the one test that allocated there.
                Assert.Contains(" in 1 test (", hover);
                Assert.Contains("`MeasureFixture.Workloads.Objects` (~", hover);

                lenses = await session.LensesAsync(workloads);
                Assert.Contains(lenses, l => l!["command"]!["title"]!.GetValue<string>().Contains("· measured ~", StringComparison.Ordinal));

                var view = await session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { }, TimeSpan.FromMinutes(2));
                var viewSites = view["result"]!["documents"]!.AsArray().SelectMany(d => d!["methods"]!.AsArray()).SelectMany(m => m!["sites"]!.AsArray());
                Assert.Contains(viewSites, s => s!["range"]!["start"]!["line"]!.GetValue<int>() == objects.Line && s["measured"]?["bytes"]?.GetValue<long>() > 0);

                // An edit inside MakeNode's code drops its measurement, and only its: Box keeps its own.
                await session.Client.NotifyAsync("textDocument/didChange", new
                {
                    textDocument = new { uri = UriPaths.ToUri(workloads), version = 2 },
                    contentChanges = new[] { new { range = new { start = new { line = objects.Line, character = objects.Character }, end = new { line = objects.Line, character = objects.Character } }, text = " " } },
                });
                Assert.DoesNotContain(await session.HintsOnLine(workloads, objects.Line), l => l.Contains("MB"));
                Assert.Contains(await session.HintsOnLine(workloads, boxes.Line), l => l.StartsWith("boxed · ", StringComparison.Ordinal));
            }

            // A new server finds the saved measurements: the file on disk is unchanged, so both apply.
            await using (var again = new Session(store))
            {
                await again.StartAsync(workspace);
                await again.OpenAsync(workloads);
                Assert.Contains(await again.HintsOnLine(workloads, boxes.Line), l => l.StartsWith("boxed · ", StringComparison.Ordinal));
            }
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
            File.Delete(store);
        }
    }

    [Fact]
    public async Task A_test_lens_measures_only_its_test()
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        var workspace = CopyFixture();
        var store = Path.Combine(workspace, "..", Path.GetFileName(workspace) + "-measurements.json");
        var workloads = Path.Combine(workspace, "Workloads.cs");
        try
        {
            await using var session = new Session(store);
            await session.StartAsync(workspace);
            await session.OpenAsync(workloads);
            var lens = (await session.LensesAsync(workloads)).First(l => l!["command"]!["command"]!.GetValue<string>() == LanguageServer.ClientMeasureTestsCommand
                && l["command"]!["arguments"]![0]!["filter"]!.GetValue<string>().EndsWith(".Boxes", StringComparison.Ordinal))!;
            var result = await session.CommandAsync(LanguageServer.MeasureCommand, [lens["command"]!["arguments"]![0]!.DeepClone()], TimeSpan.FromMinutes(8));
            Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
            Assert.Contains(await session.HintsOnLine(workloads, Marked(workloads, "boxes").Line), l => l.StartsWith("boxed · ", StringComparison.Ordinal));
            // The Objects test did not run: MakeNode never ran, so its site has no measurement, and its hover says so.
            var objects = Marked(workloads, "objects");
            Assert.DoesNotContain(await session.HintsOnLine(workloads, objects.Line), l => l.Contains("MB"));
            Assert.Contains("never ran", await session.HoverAsync(workloads, objects.Line, objects.Character + 5));
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
            File.Delete(store);
        }
    }

    [Fact]
    public async Task An_untrusted_workspace_is_never_measured()
    {
        var workspace = CopyFixture();
        try
        {
            await using var session = new Session("", trusted: false);
            await session.StartAsync(workspace);
            var result = await session.CommandAsync(LanguageServer.MeasureCommand, [], TimeSpan.FromMinutes(1));
            Assert.False(result["ok"]!.GetValue<bool>());
            Assert.Contains("trusted", result["message"]!.GetValue<string>());
            Assert.False(Directory.Exists(Path.Combine(workspace, "bin")), "nothing was built");
        }
        finally { Directory.Delete(workspace, recursive: true); }
    }

    [Fact]
    public async Task Cancelling_a_measurement_from_the_editor_stops_every_process_of_the_run()
    {
        if (!OperatingSystem.IsLinux()) return; // the processes are found through /proc
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        var workspace = CopyFixture();
        // The fixture's tests hang once the test host runs (inherited by the server's child and its run).
        Environment.SetEnvironmentVariable("MEASURE_FIXTURE_MISBEHAVE", "hang");
        try
        {
            await using var session = new Session("");
            await session.StartAsync(workspace);
            int id = session.Client.NextId();
            var response = session.Client.WaitForResponse(id.ToString(CultureInfo.InvariantCulture));
            await session.Client.SendFramedAsync(System.Text.Json.JsonSerializer.Serialize(new
            {
                jsonrpc = "2.0", id, method = "workspace/executeCommand", @params = new { command = LanguageServer.MeasureCommand, arguments = Array.Empty<object>() },
            }));
            await LspTestClient.Eventually(() => MeasureRun.ProcessesNaming(workspace).Any(p => p.Contains("testhost", StringComparison.Ordinal)) || response.IsCompleted,
                TimeSpan.FromMinutes(5), "the test host of the measured run");
            Assert.False(response.IsCompleted, "the measurement ended before the test host ran");
            await session.Client.NotifyAsync("$/cancelRequest", new { id });
            var answer = await response.WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Equal(-32800, answer["error"]?["code"]?.GetValue<int>());
            await LspTestClient.Eventually(() => MeasureRun.ProcessesNaming(workspace).Count == 0, TimeSpan.FromMinutes(1), "every process of the run to stop");
        }
        finally
        {
            Environment.SetEnvironmentVariable("MEASURE_FIXTURE_MISBEHAVE", null);
            Directory.Delete(workspace, recursive: true);
        }
    }
}
