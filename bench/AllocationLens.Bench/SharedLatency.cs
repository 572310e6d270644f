using System.Diagnostics;
using System.Text;
using AllocationLens.Server;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Bench;

/// <summary>
/// Edit latency measured the way the product is judged (the edit-latency script beside the shared
/// guide), so this project's bench and that script can no longer disagree about what they measure:
/// <list type="bullet">
/// <item>the corpus is one class of N lines of methods (a `new Node { Value = x + i }`, a box, a capturing
/// lambda, a concatenation, a foreach and an array each), not the many small classes of <see cref="CorpusGenerator.File"/>;</item>
/// <item>the server is the Release CLI's `lsp` in its own process, driven over stdio, inside a net10.0
/// project holding only that file, and counted ready once its hints for the window stay the same for 5 s;</item>
/// <item>each edit replaces the `x` of `x + i` on the middle `new Node` line with `x` (the text does not change),
/// then asks `inlayHint` for the 61 lines around it; 35 edits, the first 5 dropped, the median kept;</item>
/// <item>the floor is Roslyn alone in this process: a single-tree compilation against the running
/// runtime's own assemblies applying the same change, replacing the tree, and binding and walking the
/// operation tree of every method that intersects the window.</item>
/// </list>
/// The project's other latency sections differ on each of these points (bench/README, "Edit latency: two
/// measurements").
/// </summary>
public static class SharedLatency
{
    public sealed record Result(int Lines, double ServerMedianMs, double FloorMedianMs)
    {
        public double Ratio => ServerMedianMs / FloorMedianMs;
    }

    private const int Edits = 35, Dropped = 5, Window = 30;

    public static async Task<Result> RunAsync(string repoRoot, int lines)
    {
        var cli = Directory.EnumerateFiles(Path.Combine(repoRoot, "server", "AllocationLens.Cli", "bin", "Release"), "allocation-lens.dll", SearchOption.AllDirectories).FirstOrDefault()
            ?? throw new InvalidOperationException("build the CLI in Release first: dotnet build -c Release server/AllocationLens.Cli");
        var dir = Path.Combine(Path.GetTempPath(), "allocation-lens-bench", $"shared-{lines}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Bench.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <TargetFramework>net10.0</TargetFramework>\n    <Nullable>enable</Nullable>\n  </PropertyGroup>\n</Project>\n");
        var file = Path.Combine(dir, "Gen.cs");
        var (source, methods) = OneClassFile(lines);
        File.WriteAllText(file, source);
        int editLine = 6 + 11 * (methods / 2) + 2; // the `var p = new Node { ... }` line of the middle method

        double floor = Floor(source, editLine);
        double server = await ServerAsync(cli, dir, file, source, editLine);
        return new Result(lines, server, floor);
    }

    /// <summary>About <paramref name="lines"/> lines: one static class of 11-line methods, each allocating in the same five ways.</summary>
    public static (string Source, int Methods) OneClassFile(int lines)
    {
        var body = new StringBuilder();
        int count = 0, written = 0;
        while (written < lines)
        {
            body.Append($"    public static object M{count}(int x, string s, System.Collections.Generic.List<int> list)\n")
                .Append("    {\n")
                .Append($"        var p = new Node {{ Value = x + {count} }};\n")
                .Append("        object boxed = x;\n")
                .Append("        System.Func<int, int> f = y => y + x;\n")
                .Append("        var text = s + x.ToString();\n")
                .Append("        int total = 0;\n")
                .Append("        foreach (var v in list) total += v;\n")
                .Append("        var arr = new int[] { x, total, p.Value };\n")
                .Append($"        return total > {count} ? (object)arr : text + boxed + f(1);\n")
                .Append("    }\n");
            written += 11;
            count++;
        }
        var source = "namespace Gen;\n\npublic sealed class Node { public int Value; public Node? Next; }\n\npublic static class Big\n{\n" + body.ToString().TrimEnd('\n') + "\n}\n";
        return (source, count);
    }

    /// <summary>What Roslyn alone pays for the same edit: apply it, replace the tree, bind and walk the window's methods.</summary>
    private static double Floor(string source, int editLine)
    {
        var text = SourceText.From(source);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p)).ToArray();
        var tree = CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest));
        Compilation compilation = CSharpCompilation.Create("Floor", [tree], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _ = compilation.GetSemanticModel(tree).GetDiagnostics();
        var times = new List<double>();
        for (int e = 0; e < Edits; e++)
        {
            var line = text.Lines[editLine];
            int at = line.ToString().IndexOf("x + ", StringComparison.Ordinal);
            var watch = Stopwatch.StartNew();
            text = text.WithChanges(new TextChange(new TextSpan(line.Start + at, 1), "x"));
            var changed = tree.WithChangedText(text);
            compilation = compilation.ReplaceSyntaxTree(tree, changed);
            tree = changed;
            var model = compilation.GetSemanticModel(tree);
            var span = TextSpan.FromBounds(text.Lines[editLine - Window].Start, text.Lines[Math.Min(editLine + Window, text.Lines.Count - 1)].End);
            int operations = 0;
            foreach (var method in tree.GetRoot().DescendantNodes(n => n.FullSpan.IntersectsWith(span)).OfType<BaseMethodDeclarationSyntax>())
            {
                if (!method.Span.IntersectsWith(span) || (method.Body ?? (SyntaxNode?)method.ExpressionBody) is null) continue;
                if (model.GetOperation(method) is { } operation) operations += operation.Descendants().Count();
            }
            watch.Stop();
            if (e >= Dropped) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return Statistics.Median(times);
    }

    private static async Task<double> ServerAsync(string cli, string dir, string file, string source, int editLine)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", $"\"{cli}\" lsp")
        {
            WorkingDirectory = dir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        process.ErrorDataReceived += (_, _) => { }; // drain the log so the server never blocks on stderr
        process.BeginErrorReadLine();
        try
        {
            await using var client = new LspTestClient(process.StandardInput.BaseStream, process.StandardOutput.BaseStream);
            var root = UriPaths.ToUri(dir);
            await client.RequestAsync("initialize", new
            {
                processId = Environment.ProcessId, rootUri = root, workspaceFolders = new[] { new { uri = root, name = "bench" } },
                capabilities = new { textDocument = new { inlayHint = new { } }, workspace = new { configuration = true, inlayHint = new { refreshSupport = true } } },
            });
            await client.NotifyAsync("initialized", new { });
            var uri = UriPaths.ToUri(file);
            await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = source } });
            var range = new { start = new { line = editLine - Window, character = 0 }, end = new { line = editLine + Window, character = 0 } };
            async Task<string> Hints() => (await client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri }, range }, TimeSpan.FromMinutes(5)))["result"]?.ToJsonString() ?? "";

            // Ready once the window's hints arrive and stay the same for 5 s (the project has loaded by then).
            var ready = Stopwatch.StartNew();
            string last = "";
            var stable = Stopwatch.StartNew();
            while (ready.Elapsed < TimeSpan.FromMinutes(5))
            {
                var hints = await Hints();
                if (hints.Length > 2 && hints == last) { if (stable.Elapsed > TimeSpan.FromSeconds(5)) break; }
                else { last = hints; stable.Restart(); }
                await Task.Delay(250);
            }

            int column = source.Split('\n')[editLine].IndexOf("x + ", StringComparison.Ordinal);
            var times = new List<double>();
            for (int version = 2; version < 2 + Edits; version++)
            {
                var watch = Stopwatch.StartNew();
                await client.NotifyAsync("textDocument/didChange", new
                {
                    textDocument = new { uri, version },
                    contentChanges = new[] { new { range = new { start = new { line = editLine, character = column }, end = new { line = editLine, character = column + 1 } }, text = "x" } },
                });
                if ((await Hints()).Length <= 2) throw new InvalidOperationException("no hints after an edit");
                if (version - 2 >= Dropped) times.Add(watch.Elapsed.TotalMilliseconds);
            }
            await client.RequestAsync("shutdown", null);
            await client.NotifyAsync("exit", null);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return Statistics.Median(times);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
