// The child process of the runtime tier. Not part of the test project: CorpusRun compiles this file and
// RuntimeAllocationProbe.cs in memory against one runtime's framework, writes ProbeHost.dll next to the
// corpus built for that runtime, and runs it there with `dotnet exec --fx-version <version>`.
// Usage: ProbeHost <Corpus.dll>. Writes one tab-separated line per case to stdout:
//   RUNTIME <Environment.Version> <framework description>
//   CASE <Class.Case_Name> <bytes per call (invariant culture)> <steady> <rounds> <error or empty>
using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using AllocationLens.TestSupport;

public static class ProbeHost
{
    public static int Main(string[] args)
    {
        if (args.Length != 1) { Console.Error.WriteLine("usage: ProbeHost <Corpus.dll>"); return 2; }
        var assembly = Assembly.LoadFrom(args[0]);
        // The same order and names as the parent's CorpusRun: "Class.Case_Name", ordinal.
        var methods = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.StartsWith("Case_", StringComparison.Ordinal))
            .OrderBy(m => m.DeclaringType!.Name + "." + m.Name, StringComparer.Ordinal)
            .ToList();
        Console.Out.WriteLine($"RUNTIME\t{Environment.Version}\t{RuntimeInformation.FrameworkDescription}");
        foreach (var r in RuntimeAllocationProbe.MeasureAll(methods))
        {
            string error = (r.Error ?? "").Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
            Console.Out.WriteLine(string.Join('\t', "CASE", r.Method, r.BytesPerCall.ToString("R", CultureInfo.InvariantCulture), r.Steady ? "1" : "0", r.Rounds.ToString(CultureInfo.InvariantCulture), error));
        }
        return 0;
    }
}
