using AllocationLens.Verification;

namespace AllocationLens.RuntimeFacts;

/// <summary>
/// allocation-lens-runtime-facts --out DIR [--runtime VERSION ...]
///
/// Writes DIR/net{major}.0.facts for each runtime (default: 8.0.34, 9.0.23, 10.0.12 and 11.0.0, the
/// runtimes scripts/runtimes.sh lays out; found like "Verify with JIT" finds them). scripts/runtime-facts.sh
/// runs it into server/AllocationLens.Analysis/RuntimeFacts/.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string? outDir = null;
        var requested = new List<string>();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--out": outDir = args[i + 1]; break;
                case "--runtime": requested.Add(args[i + 1]); break;
                default: Console.Error.WriteLine($"unknown argument '{args[i]}'"); return 2;
            }
        }
        if (outDir is null) { Console.Error.WriteLine("usage: --out DIR [--runtime VERSION ...]"); return 2; }
        if (requested.Count == 0) requested.AddRange(["8.0.34", "9.0.23", "10.0.12", "11.0.0"]);

        var installed = InstalledRuntimes.Discover();
        Directory.CreateDirectory(outDir);
        foreach (var version in requested)
        {
            var runtime = installed.FirstOrDefault(r => r.VersionText == version);
            if (runtime is null) { Console.Error.WriteLine($".NET {version} is not installed (run scripts/runtimes.sh)"); return 3; }
            var text = await RuntimeFactsGenerator.GenerateAsync(runtime, null, CancellationToken.None);
            var path = Path.Combine(outDir, $"net{runtime.Version.Major}.0.facts");
            await File.WriteAllTextAsync(path, text);
            Console.WriteLine($"{path}: .NET {version}, {text.Count(c => c == '\n')} lines");
        }
        return 0;
    }
}
