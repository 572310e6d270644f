using System.Diagnostics;
using System.Text;
using AllocationLens.Verification;

namespace AllocationLens.Bench;

/// <summary>
/// "Verify with JIT" cost: one file of 100 methods, and a whole project of 10 such files, each against
/// `dotnet build -c Release --no-incremental` of the same project, measured in this run. Verification
/// includes its own Release build (into the private cache) on the first run; the reused-build figure
/// is what a second verification costs while the sources are unchanged. Runtimes: the installed
/// .NET 10 only, so the figures compare one JIT pass with one build.
/// </summary>
public static class VerifyCost
{
    public sealed record Result(int Methods, double BuildMs, double FileColdMs, double FileReusedMs, double ProjectMs);

    public static async Task<Result> RunAsync(string root)
    {
        var dir = Path.Combine(root, "artifacts", "bench-verify");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        Environment.SetEnvironmentVariable("ALLOCATION_LENS_VERIFY_CACHE", Path.Combine(dir, "cache"));
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />");
        var project = Path.Combine(dir, "Generated.csproj");
        File.WriteAllText(project, "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>");
        for (int f = 0; f < 10; f++) File.WriteAllText(Path.Combine(dir, $"File{f}.cs"), Source(f, 100));

        // The floor: a full Release build of the same project (restore done once, outside the timing).
        await Dotnet(dir, "restore", project, "-nologo", "-v:q");
        var build = Stopwatch.StartNew();
        await Dotnet(dir, "build", project, "-c", "Release", "--no-incremental", "--no-restore", "-nologo", "-v:q");
        build.Stop();

        var file = Path.Combine(dir, "File0.cs");
        var scope = new VerifyScope(file, 1, 100_000);
        var cold = Stopwatch.StartNew();
        var first = await JitVerifier.VerifyAsync(new VerifyRequest(project, [], "net10.0", [scope], ["10.0"]), null, CancellationToken.None);
        cold.Stop();
        var reused = Stopwatch.StartNew();
        var second = await JitVerifier.VerifyAsync(new VerifyRequest(project, [], "net10.0", [scope], ["10.0"]), null, CancellationToken.None);
        reused.Stop();
        var whole = Stopwatch.StartNew();
        var all = await JitVerifier.VerifyAsync(new VerifyRequest(project, [], "net10.0", [], ["10.0"]), null, CancellationToken.None);
        whole.Stop();
        foreach (var run in new[] { first, second, all })
            if (!run.Succeeded || run.Runtimes.Any(r => r.Error is not null)) throw new InvalidOperationException(run.Problem ?? run.Runtimes.First(r => r.Error is not null).Error);
        if (!second.Build!.Reused) throw new InvalidOperationException("the second verification rebuilt unchanged sources");
        return new Result(100, build.Elapsed.TotalMilliseconds, cold.Elapsed.TotalMilliseconds, reused.Elapsed.TotalMilliseconds, whole.Elapsed.TotalMilliseconds);
    }

    public sealed record ProjectResult(string Project, string TargetFramework, double BuildMs, double VerifyColdMs, double VerifyReusedMs, int Judged, int Unprepared);

    /// <summary>
    /// "Verify with JIT" on a real project, every method: its first run (its own private Release build, then
    /// the JIT host) and a second one reusing the build, against `dotnet build -c Release --no-incremental
    /// --no-restore` of the same project and target, in this run. The verify cache is private to the run.
    /// </summary>
    public static async Task<ProjectResult> RunOnProjectAsync(string root, string project, string targetFramework)
    {
        var cache = Path.Combine(root, "artifacts", "bench-verify-real", Path.GetFileNameWithoutExtension(project));
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        Environment.SetEnvironmentVariable("ALLOCATION_LENS_VERIFY_CACHE", cache);
        var dir = Path.GetDirectoryName(Path.GetFullPath(project))!;
        await Dotnet(dir, "restore", project, "-nologo", "-v:q", $"-p:TargetFramework={targetFramework}");
        var build = Stopwatch.StartNew();
        await Dotnet(dir, "build", project, "-c", "Release", "-f", targetFramework, "--no-incremental", "--no-restore", "-nologo", "-v:q", $"-p:TargetFramework={targetFramework}");
        build.Stop();
        var request = new VerifyRequest(project, [], targetFramework, [], ["10.0"]);
        var cold = Stopwatch.StartNew();
        var first = await JitVerifier.VerifyAsync(request, null, CancellationToken.None);
        cold.Stop();
        var reused = Stopwatch.StartNew();
        var second = await JitVerifier.VerifyAsync(request, null, CancellationToken.None);
        reused.Stop();
        foreach (var run in new[] { first, second })
            if (!run.Succeeded || run.Runtimes.Any(r => r.Error is not null)) throw new InvalidOperationException(run.Problem ?? run.Runtimes.First(r => r.Error is not null).Error);
        if (!second.Build!.Reused) throw new InvalidOperationException("the second verification rebuilt unchanged sources");
        var outcome = first.Runtimes[0];
        return new ProjectResult(project, targetFramework, build.Elapsed.TotalMilliseconds, cold.Elapsed.TotalMilliseconds, reused.Elapsed.TotalMilliseconds,
            outcome.Judged.Count(j => j.Kind is not null), outcome.Unprepared.Count);
    }

    /// <summary>A file of methods that each allocate a little: objects, arrays, boxes, closures.</summary>
    private static string Source(int file, int methods)
    {
        var code = new StringBuilder($"namespace Bench{file};\npublic sealed class Box{file} {{ public int V; }}\npublic class Methods{file}\n{{\n    private object? _kept;\n");
        for (int m = 0; m < methods; m++)
        {
            code.Append((m % 4) switch
            {
                0 => $"    public int M{m}(int x) {{ var b = new Box{file} {{ V = x }}; return b.V + {m}; }}\n",
                1 => $"    public void M{m}(int x) {{ _kept = new int[x & 7]; }}\n",
                2 => $"    public object M{m}(int x) => x + {m};\n",
                _ => $"    public System.Func<int> M{m}(int x) => () => x * {m};\n",
            });
        }
        return code.Append("}\n").ToString();
    }

    private static async Task Dotnet(string dir, params string[] args)
    {
        var result = await ChildProcess.RunAsync("dotnet", args, null, TimeSpan.FromMinutes(10), CancellationToken.None, workingDirectory: dir);
        if (result.ExitCode != 0) throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed: {result.StandardOutput}{result.StandardError}");
    }
}
