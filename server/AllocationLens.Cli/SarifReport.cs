using System.Text.Json;
using AllocationLens.Analysis;
using AllocationLens.Verification;

namespace AllocationLens.Cli;

/// <summary>
/// `analyze --format sarif`: SARIF 2.1.0 for code scanning (GitHub's upload-sarif, Azure DevOps). One
/// rule per allocation category with a stable id (`AL-OBJECT`, `AL-BOX`, ...; `AL-BUDGET` for budget
/// violations), results for heap and boxed sites (`note`) and budget violations (`warning`), locations
/// relative to the current directory (`%SRCROOT%`), and properties: kind, bytes, loopDepth, target,
/// remedies and, with `--verify`, the JIT's verdicts. Stack sites are not problems and are left out.
/// </summary>
public static class SarifReport
{
    private static readonly Dictionary<string, string> Help = new(StringComparer.Ordinal)
    {
        ["object"] = "A new object on the GC heap: it escapes the method (returned, stored, passed where the JIT cannot see), sits in a loop, or the target's JIT does not stack-allocate it.",
        ["array"] = "A new array on the GC heap.",
        ["collection"] = "A collection expression that creates a heap array or collection.",
        ["params"] = "A params array created at the call.",
        ["box"] = "A value type copied into a new heap object (a box).",
        ["delegate"] = "A new delegate object per evaluation (not cached by the compiler).",
        ["closure"] = "A closure (display class) that holds captured variables.",
        ["string"] = "A new string.",
        ["call"] = "A framework call that returns a new object.",
        ["linq"] = "A LINQ call that allocates iterators, delegates or results.",
        ["iterator"] = "An iterator method's state machine object.",
        ["async"] = "An async method's state machine box or task.",
        ["enumerator"] = "A heap enumerator (GetEnumerator through an interface).",
        ["growth"] = "A collection that grows by reallocating its storage.",
        ["expression"] = "An expression tree, built node by node at run time.",
    };

    public static string RuleId(string category) => "AL-" + category.ToUpperInvariant();

    public static void Write(TextWriter stdout, List<ReportedSite> report, AnalyzeVerification? verification, Budgets budgets, AllocationLens.Measurement.MeasurementReport? measurement = null)
    {
        // Stack sites are no problem, unless a measurement contradicts them (a disagreement to show).
        var reported = report.Where(r => r.Site.Kind != AllocationKind.Stack || MeasuredLines.Disagreement(r.Site, measurement, verification, r.Runtime.Moniker) is not null).ToList();
        var categories = reported.Select(r => r.Site.Category).Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal).ToList();
        var rules = categories.Select(c => (object)new
        {
            id = RuleId(c),
            name = c,
            shortDescription = new { text = $"Allocation: {c}" },
            fullDescription = new { text = Help.GetValueOrDefault(c, $"An allocation of category {c}.") },
            help = new { text = Help.GetValueOrDefault(c, $"An allocation of category {c}.") + " Each result says why and what to do (properties.remedies)." },
            defaultConfiguration = new { level = "note" },
        }).ToList();
        rules.Add(new
        {
            id = "AL-BUDGET",
            name = "budget",
            shortDescription = new { text = "A hot method exceeds its allocation budget" },
            fullDescription = new
            {
                text = "A method marked [HotPath], [AllocationFree] or [NoAllocation], or listed in .allocationlens.json, allocates more than its budget."
                    + (verification is null
                        ? " Sites count by the static verdict."
                        : " Its own sites count by the JIT's verdict where the JIT judged them (properties.byJit; a static heap site the JIT left no allocation for does not count, properties.clearedByJit), and by the static verdict elsewhere (properties.byStaticModel); what its callees allocate counts by the static verdict."),
            },
            help = new { text = "Remove the listed heap and boxed sites from the method, or raise its budget (MaxSites, MaxBytes)." },
            defaultConfiguration = new { level = "warning" },
        });

        var sarifResults = new List<object>();
        foreach (var r in reported)
        {
            var site = r.Site;
            var jit = verification?.Sites.GetValueOrDefault(site);
            sarifResults.Add(new
            {
                ruleId = RuleId(site.Category),
                // Every site is a note; a cold one (properties.cold) stays one whatever else changes.
                level = "note",
                message = new { text = $"{site.Kind.ToString().ToLowerInvariant()}: {site.Message}" },
                locations = new[] { Location(site.Where) },
                properties = new
                {
                    kind = site.Kind.ToString().ToLowerInvariant(),
                    bytes = site.Bytes,
                    loopDepth = site.LoopDepth,
                    certain = site.Certain,
                    target = r.Target,
                    runtime = r.Runtime.DisplayName,
                    runtimeReason = r.Runtime.Reason,
                    runtimes = r.Runtimes.Count == 0 ? null : r.Runtimes.Select(v => new { runtime = v.Runtime.DisplayName, target = v.Target, kind = v.KindText }).ToArray(),
                    targets = r.OnlyIn,
                    remedies = site.Remedies.ToArray(),
                    cold = AnalyzeCommand.ColdJson(site.Cold),
                    jit = jit is { Verdicts.Length: > 0 } ? jit.Verdicts.Select(v => new { runtime = v.Runtime, kind = v.Kind }).ToArray() : null,
                    jitNotes = jit is { Notes.Length: > 0 } ? jit.Notes.ToArray() : null,
                    measured = MeasuredLines.Json(site, measurement),
                    coverage = measurement is null ? null : MeasuredLines.CoverageWord(measurement.CoverageOf(site)),
                    disagreement = MeasuredLines.Disagreement(site, measurement, verification, r.Runtime.Moniker),
                },
            });
        }
        foreach (var v in budgets.Violations)
        {
            sarifResults.Add(new
            {
                ruleId = "AL-BUDGET",
                level = "warning",
                message = new { text = v.Message },
                locations = new[] { Location(v.Declaration) },
                relatedLocations = v.Sites.Select((s, i) => new { id = i + 1, physicalLocation = PhysicalLocation(s.Where), message = new { text = s.Message } }).ToArray(),
                properties = new
                {
                    method = v.Method, source = v.Budget.Source, maxSites = v.Budget.MaxSites, maxBytes = v.Budget.MaxBytes, sites = v.Sites.Count,
                    byJit = v.Basis?.ByJit, byStaticModel = v.Basis?.ByStaticModel, clearedByJit = v.Basis?.ClearedByJit,
                },
            });
        }

        var log = new Dictionary<string, object>
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new object[]
            {
                new
                {
                    tool = new
                    {
                        driver = new
                        {
                            name = "Allocation Lens",
                            informationUri = "https://marketplace.visualstudio.com/items?itemName=allocation-lens.allocation-lens",
                            semanticVersion = typeof(SarifReport).Assembly.GetName().Version?.ToString(3) ?? "0.1.0",
                            rules,
                        },
                    },
                    originalUriBaseIds = new Dictionary<string, object> { ["%SRCROOT%"] = new { uri = new Uri(Directory.GetCurrentDirectory().TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).AbsoluteUri } },
                    results = sarifResults,
                    properties = measurement is null ? null : new
                    {
                        unexplained = measurement.Unexplained.Select(MeasuredLines.UnexplainedJson).ToArray(),
                        outside = MeasuredLines.JsonFigures(measurement.Outside),
                        sources = measurement.Sources,
                    },
                },
            },
        };
        stdout.WriteLine(JsonSerializer.Serialize(log, new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        }));
    }

    private static object Location(SourceSpan where) => new { physicalLocation = PhysicalLocation(where) };

    private static object PhysicalLocation(SourceSpan where)
    {
        var path = AnalyzeCommand.DisplayPath(where.Path);
        bool relative = !Path.IsPathRooted(path);
        return new
        {
            artifactLocation = relative ? (object)new { uri = Uri.EscapeDataString(path).Replace("%2F", "/"), uriBaseId = "%SRCROOT%" } : new { uri = new Uri(where.Path).AbsoluteUri },
            region = new { startLine = where.Lines.Start.Line + 1, startColumn = where.Lines.Start.Character + 1, endLine = where.Lines.End.Line + 1, endColumn = where.Lines.End.Character + 1 },
        };
    }
}
