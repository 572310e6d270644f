using System.Text.Json;
using AllocationLens.Analysis;

namespace AllocationLens.Workspace;

/// <summary>
/// `.allocationlens.json` at a workspace or project root names hot methods and their budgets:
/// <code>{ "budgets": [ { "method": "Shop.Orders.Total", "maxSites": 0, "maxBytes": 64 } ] }</code>
/// `method` is "Namespace.Type.Method" (no parameters: every overload); `maxSites` defaults to 0 and
/// `maxBytes` to none; `"countCold": true` counts sites that are cold by construction too. A malformed file is reported in <see cref="Problems"/> and otherwise ignored.
/// </summary>
public sealed record BudgetConfiguration(IReadOnlyList<ConfiguredBudget> Budgets, IReadOnlyList<string> Problems)
{
    public const string FileName = ".allocationlens.json";

    public static readonly BudgetConfiguration Empty = new([], []);

    /// <summary>Reads the file in each folder given (workspace root, project folders); later folders add to earlier ones.</summary>
    public static BudgetConfiguration Load(IEnumerable<string> folders)
    {
        var budgets = new List<ConfiguredBudget>();
        var problems = new List<string>();
        foreach (var folder in folders.Distinct(StringComparer.Ordinal))
        {
            var path = Path.Combine(folder, FileName);
            if (!File.Exists(path)) continue;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                if (!document.RootElement.TryGetProperty("budgets", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{path}: expected {{ \"budgets\": [ {{ \"method\": \"Namespace.Type.Method\" }} ] }}");
                    continue;
                }
                foreach (var entry in list.EnumerateArray())
                {
                    if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || method.GetString() is not { Length: > 0 } name)
                    {
                        problems.Add($"{path}: a budget without a \"method\" name was ignored");
                        continue;
                    }
                    int sites = entry.TryGetProperty("maxSites", out var s) && s.TryGetInt32(out var si) && si >= 0 ? si : 0;
                    int? bytes = entry.TryGetProperty("maxBytes", out var b) && b.TryGetInt32(out var bi) && bi >= 0 ? bi : null;
                    bool countCold = entry.TryGetProperty("countCold", out var c) && c.ValueKind == JsonValueKind.True;
                    budgets.Add(new ConfiguredBudget(name, new AllocationBudget(sites, bytes, "listed in " + FileName, countCold)));
                }
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{path}: {e.Message}");
            }
        }
        return new BudgetConfiguration(budgets, problems);
    }
}
