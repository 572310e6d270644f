using AllocationLens.Analysis;
using AllocationLens.JitHost;
using AllocationLens.Verification;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Measurement;

/// <summary>
/// Charges each sample group to a site: the user frame's IL offset gives a sequence point of the build's
/// PDB (<see cref="SequencePoints"/>, as Verify's JIT host reads them), and the site that starts inside it
/// takes the sample (<see cref="SiteMatcher.SiteForSample"/>). A closure's display class is made where its
/// scope is entered, away from the captured variable's declaration that is its site, so it goes to the
/// nearest closure site before it in the same function. Then each site that took nothing is told whether
/// its code ran: a method is compiled when it first runs, and the trace saw every compilation and every
/// inlining (an inlined method is never said not to have run); a method recompiled at tier 1 or by on-stack
/// replacement ran often. Last, heap sites without samples whose basic block provably ran often enough for
/// an allocation there to have been sampled are set apart (<see cref="BlockExecutions"/>).
/// </summary>
public static class SiteAttribution
{
    public static MeasurementReport Attribute(IReadOnlyList<AllocationSite> sites, Func<string, SyntaxTree?> treeOf, IReadOnlyList<ProcessAllocations> processes, Action<string> problem) =>
        Attribute(sites, treeOf, processes, problem, modelOf: null);

    /// <param name="modelOf">The semantic model of a tree, for the control flow behind <see cref="BlockExecutions"/>; null: no site is judged by it.</param>
    public static MeasurementReport Attribute(IReadOnlyList<AllocationSite> sites, Func<string, SyntaxTree?> treeOf, IReadOnlyList<ProcessAllocations> processes, Action<string> problem,
        Func<SyntaxTree, SemanticModel?>? modelOf, CancellationToken cancellationToken = default)
    {
        var report = new MeasurementReport
        {
            Sources = processes.Where(p => p.Groups.Count > 0).Select(p => p.Source).Distinct().Order(StringComparer.Ordinal).ToList(),
            Processes = processes.Count,
        };
        var byDocument = sites.GroupBy(s => Normalize(s.Where.Path), TraceSamples.PathComparer).ToDictionary(g => g.Key, g => g.ToList(), TraceSamples.PathComparer);
        var pdbs = new Dictionary<string, Dictionary<int, SourceRange[]>?>(TraceSamples.PathComparer);
        Dictionary<int, SourceRange[]>? PdbOf(string module)
        {
            if (pdbs.TryGetValue(module, out var points)) return points;
            try { points = SequencePoints.Read(module); }
            catch (Exception ex) when (ex is IOException or BadImageFormatException or InvalidOperationException or UnauthorizedAccessException)
            {
                problem($"{Path.GetFileName(module)}: no sequence points ({ex.Message}); its allocations are listed by method");
                points = null;
            }
            return pdbs[module] = points;
        }

        var unexplained = new Dictionary<(string, string?, int, int, string), UnexplainedAllocation>();
        foreach (var group in processes.SelectMany(p => p.Groups))
        {
            if (group.Frame is not { } frame) { report.Outside.Add(group); continue; }
            var methodPoints = PdbOf(frame.ModulePath)?.GetValueOrDefault(frame.MethodToken);
            SourceRange? point = methodPoints is null ? null : SequencePoints.Containing(methodPoints, frame.IlOffset);
            // A display class is made where its scope is entered, often under a hidden sequence point at the
            // method's start: the method's first visible sequence point places it in the right function.
            if (point is null && methodPoints is { Length: > 0 } && SiteMatcher.IsDisplayClass(group.TypeName)) point = methodPoints.MinBy(q => q.IlOffset);
            AllocationSite? site = null;
            if (point is { } p && byDocument.TryGetValue(Normalize(p.Document), out var documentSites))
            {
                site = SiteMatcher.SiteForSample(documentSites, p.StartLine, p.StartColumn, p.EndLine, p.EndColumn, group.TypeName);
                if (site is null && SiteMatcher.IsDisplayClass(group.TypeName)) site = ClosureSite(documentSites, treeOf(documentSites[0].Where.Path), p);
            }
            if (site is not null)
            {
                if (!report.Sites.TryGetValue(site, out var measured)) report.Sites[site] = measured = new SiteMeasurement();
                measured.Add(group);
                continue;
            }
            var key = (group.TypeName, point?.Document, point?.StartLine ?? 0, point?.StartColumn ?? 0, point is null ? frame.MethodName : "");
            if (!unexplained.TryGetValue(key, out var entry))
                unexplained[key] = entry = new UnexplainedAllocation(group.TypeName, point?.Document, point?.StartLine ?? 0, point?.StartColumn ?? 0, frame.MethodName);
            entry.Measured.Add(group);
        }
        report.Unexplained.AddRange(unexplained.Values.OrderByDescending(u => u.Measured.Bytes));

        // Coverage of every site: the methods whose sequence points contain the site's start.
        var compiled = processes.SelectMany(p => p.CompiledUserMethods).ToHashSet();
        var often = processes.SelectMany(p => p.OftenRunUserMethods).ToHashSet();
        var inlined = processes.SelectMany(p => p.InlinedMethods).ToHashSet();
        var names = new Dictionary<string, Dictionary<int, (string, string)>>(TraceSamples.PathComparer);
        bool Inlined(string module, int token)
        {
            if (inlined.Count == 0) return false;
            if (!names.TryGetValue(module, out var tokens))
            {
                try { tokens = MethodNames.Read(module); }
                catch (Exception ex) when (ex is IOException or BadImageFormatException or InvalidOperationException or UnauthorizedAccessException) { tokens = []; }
                names[module] = tokens;
            }
            return tokens.TryGetValue(token, out var name) && inlined.Contains(name);
        }
        var loadedModules = processes.SelectMany(p => p.LoadedUserModules).Distinct(TraceSamples.PathComparer).ToList();
        var methodsByDocument = new Dictionary<string, List<(string Module, int Token, SourceRange[] Points)>>(TraceSamples.PathComparer);
        foreach (var module in loadedModules)
        {
            if (PdbOf(module) is not { } methods) continue;
            foreach (var (token, points) in methods)
                foreach (var document in points.Select(q => Normalize(q.Document)).Distinct(TraceSamples.PathComparer))
                {
                    if (!methodsByDocument.TryGetValue(document, out var list)) methodsByDocument[document] = list = [];
                    list.Add((module, token, points));
                }
        }
        foreach (var site in sites)
        {
            if (!methodsByDocument.TryGetValue(Normalize(site.Where.Path), out var methods)) continue;
            int line = site.Where.Lines.Start.Line + 1, column = site.Where.Lines.Start.Character + 1;
            var holders = methods.Where(m => m.Points.Any(q => Contains(q, line, column))).ToList();
            if (holders.Count == 0) continue;
            // A method inlined somewhere may have run inside its caller without being compiled on its own: unknown.
            report.Coverage[site] = holders.Any(m => often.Contains((m.Module, m.Token))) ? SiteCoverage.RanOften
                : holders.Any(m => compiled.Contains((m.Module, m.Token))) ? SiteCoverage.Ran
                : report.Sites.ContainsKey(site) || holders.Any(m => Inlined(m.Module, m.Token)) ? SiteCoverage.NotMeasured
                : SiteCoverage.NeverRan;
        }
        if (modelOf is not null)
            foreach (var (site, evidence) in BlockExecutions.Find(sites, report, treeOf, modelOf, cancellationToken))
                report.Unsampled[site] = evidence;
        return report;
    }

    /// <summary>
    /// The closure site a display class made at this sequence point belongs to: of the closure sites of the
    /// function whose own code holds the sequence point (the innermost method, accessor, local function or
    /// lambda whose body contains it: a lambda's creation belongs to its enclosing function), the last one
    /// that starts before the sequence point ends.
    /// </summary>
    private static AllocationSite? ClosureSite(List<AllocationSite> documentSites, SyntaxTree? tree, SourceRange point)
    {
        if (tree is null) return null;
        var text = tree.GetText();
        if (point.StartLine - 1 >= text.Lines.Count || point.EndLine - 1 >= text.Lines.Count) return null;
        int start = text.Lines[point.StartLine - 1].Start + point.StartColumn - 1;
        int end = Math.Min(text.Length, text.Lines[point.EndLine - 1].Start + point.EndColumn - 1);
        var root = tree.GetRoot();
        var function = FunctionOwning(root.FindToken(start).Parent, start);
        if (function is null) return null;
        return documentSites
            .Where(s => s.Category == "closure" && function.FullSpan.Contains(s.Where.Span.Start) && s.Where.Span.Start < end)
            .Where(s => FunctionDeclaring(root.FindToken(s.Where.Span.Start).Parent) == function)
            .MaxBy(s => s.Where.Span.Start);
    }

    /// <summary>The innermost function whose body (not its signature) contains the position.</summary>
    internal static SyntaxNode? FunctionOwning(SyntaxNode? node, int position) =>
        node?.AncestorsAndSelf().FirstOrDefault(n => BodyOf(n) is { } body && body.Span.Contains(position));

    /// <summary>The innermost function around a captured variable's declaration (a parameter belongs to its own function).</summary>
    private static SyntaxNode? FunctionDeclaring(SyntaxNode? node) => node?.AncestorsAndSelf().FirstOrDefault(n => BodyOf(n) is not null);

    private static SyntaxNode? BodyOf(SyntaxNode node) => node switch
    {
        BaseMethodDeclarationSyntax m => (SyntaxNode?)m.Body ?? m.ExpressionBody,
        LocalFunctionStatementSyntax f => (SyntaxNode?)f.Body ?? f.ExpressionBody,
        AccessorDeclarationSyntax a => (SyntaxNode?)a.Body ?? a.ExpressionBody,
        AnonymousFunctionExpressionSyntax l => l.Body,
        PropertyDeclarationSyntax p => (SyntaxNode?)p.ExpressionBody ?? p.Initializer,
        IndexerDeclarationSyntax i => i.ExpressionBody,
        _ => null,
    };

    private static bool Contains(SourceRange q, int line, int column) => SiteMatcher.Contains(q.StartLine, q.StartColumn, q.EndLine, q.EndColumn, line, column);

    internal static string Normalize(string path)
    {
        try { return Path.GetFullPath(path); }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException) { return path; }
    }
}
