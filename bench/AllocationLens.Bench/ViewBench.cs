using System.Diagnostics;
using System.Text.Json.Nodes;
using AllocationLens.Server;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Bench;

/// <summary>
/// The Allocations view on a real solution (section `view`): the time to the complete tree
/// (allocationLens/workspaceAllocations through the real server, after the workspace has loaded) against
/// `allocation-lens analyze` of the same solution in one process (load, compile, analyse on all cores);
/// and the edit latency (didChange → inlayHint for a 60-line window) of an open file while the view's
/// scan is in flight (scans back to back, each judging every file, as the first one does), against the
/// same edits with nothing else running (the floor).
/// </summary>
public static class ViewBench
{
    public sealed record Result(
        string Solution, int Lines, int Projects, double LoadMs, double FirstPartialMs, double ViewMs, double ViewAgainMs, int Files, int Sites,
        double AnalyzeMs, int AnalyzeSites, double FloorMedianMs, double FloorP90Ms, double DuringMedianMs, double DuringP90Ms, int Scans, int Preemptions);

    /// <summary>The benchmark's solution: the four real libraries of bench/README, one net10.0 project each.</summary>
    public static string EnsureSolution()
    {
        var real = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "allocation-lens", "real");
        var folder = Path.Combine(real, "viewbench");
        var sln = Path.Combine(folder, "ViewBench.sln");
        if (File.Exists(sln)) return sln;
        Directory.CreateDirectory(folder);
        Run("dotnet", $"new sln --format sln -n ViewBench -o \"{folder}\"");
        foreach (var project in new[] { "CsvHelper/src/CsvHelper/CsvHelper.csproj", "Polly/src/Polly.Core/Polly.Core.csproj", "RestSharp/src/RestSharp/RestSharp.csproj", "Serilog/src/Serilog/Serilog.csproj" })
            Run("dotnet", $"sln \"{sln}\" add \"{Path.Combine(real, project)}\"");
        return sln;
    }

    public static async Task<Result> RunAsync(string solution, string openFile, int edits)
    {
        var folder = Path.GetDirectoryName(solution)!;
        var cli = Path.Combine(AppContext.BaseDirectory, "allocation-lens.dll");

        // 1. `allocation-lens analyze` on the same solution, one process: what the view is compared with.
        var analyzeWatch = Stopwatch.StartNew();
        var json = Run("dotnet", $"\"{cli}\" analyze \"{solution}\" --format json");
        analyzeWatch.Stop();
        int analyzeSites = JsonNode.Parse(json)!["sites"]!.AsArray().Count;

        // 2. The server on the solution with one file open, loaded.
        var uri = UriPaths.ToUri(openFile);
        var text = File.ReadAllText(openFile);
        var loadWatch = Stopwatch.StartNew();
        await using var session = await BenchSession.OpenAsync(uri, text, folder);
        await LspTestClient.Eventually(() => session.Client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(10), "the workspace load");
        loadWatch.Stop();
        int projects = session.Server.Host.Workspace!.Solution.ProjectIds.Count;
        int lines = session.Server.Host.Workspace.Solution.Projects.SelectMany(p => p.Documents).Where(d => d.FilePath is not null && !d.FilePath.Contains("/obj/")).Select(d => d.FilePath!).Distinct()
            .Sum(p => File.ReadAllLines(p).Length);

        Console.Error.WriteLine($"view: analyze {analyzeWatch.Elapsed.TotalSeconds:0.0} s ({analyzeSites} sites); load {loadWatch.Elapsed.TotalSeconds:0.0} s");
        // 3. The view, twice: the first scan binds every project; the second is what a refresh costs.
        var (firstPartial, viewMs, files, sites) = await ScanAsync(session, "first");
        var (_, viewAgainMs, _, _) = await ScanAsync(session, "again");

        Console.Error.WriteLine($"view: tree {viewMs / 1000:0.0} s (first file {firstPartial:0} ms), again {viewAgainMs / 1000:0.0} s: {files} files, {sites} sites");
        // 4. Edit latency, with nothing else running (floor), then while scans run back to back.
        var source = SourceText.From(text);
        int editLine = EditableLine(text);
        int version = 1;
        var floor = await EditsAsync(session, uri, edits, editLine, () => ++version, source);
        source = floor.Source;
        // Every scan judges every file again here (a first scan's work): the worst case for the open file.
        session.Server.ReuseClosedResults = false;
        int preemptionsBefore = session.Server.Foreground.Preemptions;
        int scans = 0;
        using var stop = new CancellationTokenSource();
        var background = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { partialResultToken = "edit-" + scans }, TimeSpan.FromMinutes(10));
                scans++;
            }
        });
        await Task.Delay(300); // the scan is under way
        var during = await EditsAsync(session, uri, edits, editLine, () => ++version, source);
        stop.Cancel();
        await background;
        return new Result(Path.GetFileName(solution), lines, projects, loadWatch.Elapsed.TotalMilliseconds, firstPartial, viewMs, viewAgainMs, files, sites,
            analyzeWatch.Elapsed.TotalMilliseconds, analyzeSites, Statistics.Median(floor.Ms), Percentile(floor.Ms, 0.9), Statistics.Median(during.Ms), Percentile(during.Ms, 0.9),
            scans + 1, session.Server.Foreground.Preemptions - preemptionsBefore);
    }

    private static async Task<(double FirstPartialMs, double TotalMs, int Files, int Sites)> ScanAsync(BenchSession session, string token)
    {
        bool Partial(JsonObject n) => n["method"]?.GetValue<string>() == "$/progress" && n["params"]?["token"]?.GetValue<string>() == token;
        var watch = Stopwatch.StartNew();
        var request = session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { partialResultToken = token }, TimeSpan.FromMinutes(10));
        double firstPartial = -1;
        while (!request.IsCompleted)
        {
            if (firstPartial < 0 && session.Client.Notifications.Any(Partial)) firstPartial = watch.Elapsed.TotalMilliseconds;
            await Task.WhenAny(request, Task.Delay(5));
        }
        var response = await request;
        watch.Stop();
        if (response["error"] is not null) throw new InvalidOperationException(response.ToJsonString());
        var documents = session.Client.Notifications.Where(Partial).SelectMany(n => n["params"]!["value"]!["documents"]!.AsArray()).ToList();
        int sites = documents.Sum(d => d!["methods"]!.AsArray().Sum(m => m!["sites"]!.AsArray().Count));
        return (firstPartial < 0 ? watch.Elapsed.TotalMilliseconds : firstPartial, watch.Elapsed.TotalMilliseconds, documents.Count, sites);
    }

    private sealed record EditRun(List<double> Ms, SourceText Source);

    /// <summary>Inserts, then deletes, a statement at the end of a line inside a method body; times didChange → inlayHint of the window around it.</summary>
    private static async Task<EditRun> EditsAsync(BenchSession session, string uri, int edits, int editLine, Func<int> nextVersion, SourceText text)
    {
        var source = text;
        var ms = new List<double>();
        for (int i = 0; i < edits + 3; i++)
        {
            var line = source.Lines[editLine];
            bool insert = i % 2 == 0;
            var change = insert ? new TextChange(new TextSpan(line.End, 0), " int zz = 1;") : new TextChange(new TextSpan(line.End - 12, 12), "");
            var start = source.Lines.GetLinePosition(change.Span.Start);
            var end = source.Lines.GetLinePosition(change.Span.End);
            var watch = Stopwatch.StartNew();
            await session.Client.NotifyAsync("textDocument/didChange", new
            {
                textDocument = new { uri, version = nextVersion() },
                contentChanges = new[] { new { range = new { start = new { line = start.Line, character = start.Character }, end = new { line = end.Line, character = end.Character } }, text = change.NewText } },
            });
            var response = await session.HintsAsync(Math.Max(0, editLine - 30), editLine + 30);
            watch.Stop();
            if (response["error"] is not null) throw new InvalidOperationException(response.ToJsonString());
            source = source.WithChanges(change);
            if (i >= 3) ms.Add(watch.Elapsed.TotalMilliseconds);
        }
        return new EditRun(ms, source);
    }

    /// <summary>
    /// The line of a statement that ends its line, directly in a block of the file's largest method that
    /// has one: an edit appended there stays inside one body and keeps the code valid.
    /// </summary>
    private static int EditableLine(string text)
    {
        var tree = CSharpSyntaxTree.ParseText(text);
        var source = tree.GetText();
        foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Where(m => m.Body is not null).OrderByDescending(m => m.Body!.Span.Length))
            foreach (var statement in method.Body!.DescendantNodes().OfType<StatementSyntax>())
            {
                if (statement is not (ExpressionStatementSyntax or LocalDeclarationStatementSyntax) || statement.Parent is not BlockSyntax) continue;
                var line = source.Lines.GetLineFromPosition(statement.Span.End);
                if (source.ToString(TextSpan.FromBounds(statement.Span.End, line.End)).Trim().Length == 0) return line.LineNumber;
            }
        throw new InvalidOperationException("no statement to edit after");
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static string Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
