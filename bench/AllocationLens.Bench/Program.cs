using System.Diagnostics;
using AllocationLens.Bench;

// Usage: dotnet run -c Release --project bench/AllocationLens.Bench [edits-per-size]
int edits = args.Length > 0 && int.TryParse(args[0], out var e) ? e : 40;
Console.WriteLine($"Allocation Lens benchmarks ({Environment.ProcessorCount} cores, {edits} edits per size; ratios measured in this run)");
Console.WriteLine();
var results = new List<EditLatency.Result>();
foreach (var lines in new[] { 1_000, 5_000, 20_000 })
{
    var result = await EditLatency.RunAsync(lines, edits);
    results.Add(result);
    Console.WriteLine($"edit latency  {lines,6} lines: server {result.ServerMedianMs,7:0.0} ms   floor {result.FloorMedianMs,7:0.0} ms   ratio {result.Ratio,5:0.00}x (target <= 1.2x)");
}
var scale = results[^1].ServerMedianMs / results[0].ServerMedianMs;
Console.WriteLine($"edit latency  20k/1k: {scale:0.00}x (target <= 1.5x)");
