namespace AllocationLens.RuntimeProbe;

/// <summary>
/// allocation-lens-runtime-probe --out FILE [--types NAME,NAME,...] [--steady true]
///
/// Writes tab-separated facts about the runtime it runs on (one line each; see RuntimeFactsFile in
/// tools/AllocationLens.RuntimeFacts for the format): `size` lines for framework types, `probe` lines for
/// the inlining probes (the generator reads their verdicts from the JIT's listing, so it starts this
/// process with DOTNET_JitDisasm=Inline_*), and `call` lines with bytes allocated per call.
/// --types limits the sizes to the named types (the drift test's subset). --steady true measures only the
/// inlining probes in steady state (tiering and PGO on), one `steady` line each.
/// Exit codes: 0 written; 2 usage; 4 the size reading failed its self-check.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string? outPath = null;
        bool steady = false;
        HashSet<string>? only = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--out": outPath = args[i + 1]; break;
                case "--steady": steady = args[i + 1] == "true"; break;
                case "--types": only = new HashSet<string>(args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal); break;
                default: Console.Error.WriteLine($"unknown argument '{args[i]}'"); return 2;
            }
        }
        if (outPath is null) { Console.Error.WriteLine("usage: --out FILE [--types NAME,...]"); return 2; }

        if (InstanceSizes.SelfCheck() is { } failure) { Console.Error.WriteLine(failure); return 4; }

        using var output = new StreamWriter(outPath) { NewLine = "\n" };
        output.WriteLine($"runtime\t{Environment.Version}");
        if (steady)
        {
            foreach (var line in InliningProbes.MeasureSteadyState()) output.WriteLine(line);
            return 0;
        }
        foreach (var line in InstanceSizes.Measure(only)) output.WriteLine(line);
        foreach (var line in InliningProbes.Run()) output.WriteLine(line);
        foreach (var line in CallProbes.Measure()) output.WriteLine(line);
        return 0;
    }
}
