using System.Diagnostics;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Bench;

/// <summary>
/// Edit latency the way users meet it: a generated file inside a real MSBuild project the
/// server loaded, one-character edits inside a method body, and Enter edits that change the line count,
/// each followed by an inlayHint request for a 60-line window. The floor, measured in the same run, is
/// what any Roslyn-based editor host pays for the same edit: a workspace that opened the same project
/// through MSBuild applies the edit to its solution (text derived incrementally, as didChange gives it),
/// gets the project's compilation and binds the member bodies in the window.
/// </summary>
public static class ProjectEditLatency
{
    public enum EditKind { InsideBody, Enter }

    public sealed record Result(int Lines, EditKind Kind, double ServerMedianMs, double FloorMedianMs, int CacheHits, int CacheMisses)
    {
        public double Ratio => ServerMedianMs / FloorMedianMs;
    }

    /// <summary>A project folder outside the checkout: the generated file of the given size, and two small neighbours.</summary>
    public static string CreateProject(int lines)
    {
        var dir = Path.Combine(Path.GetTempPath(), "allocation-lens-bench", $"project-{lines}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Bench.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><OutputType>Library</OutputType></PropertyGroup>
            </Project>
            """);
        // Keep the repository's Directory.Build.props and central package management out of the project.
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Generated.cs"), CorpusGenerator.File(lines));
        File.WriteAllText(Path.Combine(dir, "Neighbour1.cs"), CorpusGenerator.File(300, seed: 7).Replace("namespace Generated;", "namespace Neighbour1;"));
        File.WriteAllText(Path.Combine(dir, "Neighbour2.cs"), CorpusGenerator.File(300, seed: 8).Replace("namespace Generated;", "namespace Neighbour2;"));
        return dir;
    }

    public static async Task<Result> RunAsync(int lines, int edits, EditKind kind)
    {
        var dir = CreateProject(lines);
        var file = Path.Combine(dir, "Generated.cs");
        var text = File.ReadAllText(file);
        var editLine = EditLatency.FindEditableLine(SourceText.From(text), lines / 2);

        // The server, with the project loaded and the open file judged from it.
        var uri = AllocationLens.Server.UriPaths.ToUri(file);
        await using var session = await BenchSession.OpenAsync(uri, text, dir);
        await AllocationLens.TestSupport.LspTestClient.Eventually(() => session.Client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(5), "the project load");
        if (session.Server.Host.Workspace is null) throw new InvalidOperationException("the server did not load the project");
        await session.HintsAsync(editLine - 30, editLine + 30);

        // The floor: a bare MSBuildWorkspace that opened the same project, warmed up the same way.
        var loaded = await WorkspaceLoader.LoadAsync(Path.Combine(dir, "Bench.csproj"), restore: false);
        var solution = loaded.Solution;
        var id = solution.GetDocumentIdsWithFilePath(file).Single();
        var source = SourceText.From(text);
        solution = solution.WithDocumentText(id, source, PreservationMode.PreserveIdentity);
        await BindWindowAsync(solution, id, source, editLine);

        var (serverMs, floorMs) = (new List<double>(), new List<double>());
        int version = 1;
        for (int i = 0; i < edits + 3; i++)
        {
            var line = source.Lines[editLine];
            bool insert = i % 2 == 0;
            var change = (kind, insert) switch
            {
                (EditKind.InsideBody, true) => new TextChange(new TextSpan(line.End, 0), " total++;"),
                (EditKind.InsideBody, false) => new TextChange(new TextSpan(line.End - 9, 9), ""),
                // Enter at the end of the line, then Backspace: every line below moves down and back.
                (EditKind.Enter, true) => new TextChange(new TextSpan(line.End, 0), "\n        "),
                _ => new TextChange(TextSpan.FromBounds(line.End, source.Lines[editLine + 1].End), ""),
            };

            var watch = Stopwatch.StartNew();
            await session.ChangeAsync(++version, source, change);
            var response = await session.HintsAsync(editLine - 30, editLine + 30);
            watch.Stop();
            if (response["error"] is not null) throw new InvalidOperationException(response.ToJsonString());

            var floorWatch = Stopwatch.StartNew();
            source = source.WithChanges(change);
            solution = solution.WithDocumentText(id, source, PreservationMode.PreserveIdentity);
            await BindWindowAsync(solution, id, source, editLine);
            floorWatch.Stop();

            if (i >= 3) { serverMs.Add(watch.Elapsed.TotalMilliseconds); floorMs.Add(floorWatch.Elapsed.TotalMilliseconds); }
        }
        var cache = session.Server.Host.MemberCacheOf(uri);
        loaded.Workspace?.Dispose();
        return new Result(lines, kind, Statistics.Median(serverMs), Statistics.Median(floorMs), cache.Hits, cache.Misses);
    }

    private static async Task BindWindowAsync(Solution solution, DocumentId id, SourceText text, int centerLine)
    {
        var document = solution.GetDocument(id)!;
        EditLatency.BindWindow((await document.Project.GetCompilationAsync())!, (await document.GetSyntaxTreeAsync())!, text, centerLine);
    }
}
