using System.Diagnostics;
using AllocationLens.Server;
using AllocationLens.TestSupport;

namespace AllocationLens.Bench;

/// <summary>
/// An hour of editing, simulated (the stability target): in a real project the server loaded,
/// one user action per simulated second for 3,600 seconds. Typing and deleting lines in the open file
/// with hints for the visible window after each edit, a hover now and then, a save every 30 s, and
/// another file (the previous one closed) often enough to visit every file of the project twice. The
/// managed heap (after a full collection) and the working set are sampled at the end of each lap: the
/// first lap grows them as the compilation's symbols and files are visited for the first time; bounded
/// means the second lap, which visits nothing new, ends about where the first ended.
/// </summary>
public static class ProjectSoak
{
    public sealed record Sample(int Seconds, string When, long ManagedBytes, long WorkingSetBytes);

    /// <param name="laps">How many times every file is visited; the session lasts half an hour per lap.</param>
    public static async Task<IReadOnlyList<Sample>> RunAsync(string projectDir, int laps = 2)
    {
        int seconds = 1_800 * laps;
        var files = Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Where(p => new FileInfo(p).Length > 2_000)
            .OrderBy(p => p, StringComparer.Ordinal).ToList();
        if (files.Count < 2) throw new InvalidOperationException($"{projectDir} has too few C# files for a soak");
        string file = files[0];
        var uri = UriPaths.ToUri(file);
        await using var session = await BenchSession.OpenAsync(uri, File.ReadAllText(file), projectDir);
        var client = session.Client;
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(5), "the project load");

        var samples = new List<Sample>();
        int lap = seconds / laps;
        int switchEvery = Math.Max(10, lap / files.Count);
        int version = 1, opened = 0, lines = File.ReadAllLines(file).Length;
        for (int second = 1; second <= seconds; second++)
        {
            if (second % switchEvery == 0)
            {
                // Switch files: close this one (its unsaved comment lines are dropped with it), open the next.
                await client.NotifyAsync("textDocument/didClose", new { textDocument = new { uri } });
                file = files[++opened % files.Count];
                uri = UriPaths.ToUri(file);
                var text = File.ReadAllText(file);
                lines = text.Split('\n').Length;
                version = 1;
                await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version, text } });
            }
            else if (second % 30 == 0)
            {
                await client.NotifyAsync("textDocument/didSave", new { textDocument = new { uri } });
            }
            else
            {
                // A comment line typed and deleted in the middle of the file: lines below move and back.
                int at = lines / 2;
                bool insert = version % 2 == 1;
                var edit = insert
                    ? new { range = new { start = new { line = at, character = 0 }, end = new { line = at, character = 0 } }, text = "// typing\n" }
                    : new { range = new { start = new { line = at, character = 0 }, end = new { line = at + 1, character = 0 } }, text = "" };
                await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version = ++version }, contentChanges = new[] { edit } });
                var hints = await client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri }, range = new { start = new { line = Math.Max(0, at - 30), character = 0 }, end = new { line = at + 30, character = 0 } } });
                if (hints["error"] is { } error && error["code"]?.GetValue<int>() != -32801) throw new InvalidOperationException(hints.ToJsonString());
                if (second % 10 == 0)
                    await client.RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line = at + 5, character = 12 } });
            }
            string? when = second == lap / 5 ? "a fifth of lap 1" : second % lap == 0 ? $"end of lap {second / lap}" : null;
            if (when is not null)
            {
                long managed = GC.GetTotalMemory(forceFullCollection: true);
                samples.Add(new Sample(second, when, managed, Process.GetCurrentProcess().WorkingSet64));
            }
        }
        return samples;
    }
}
