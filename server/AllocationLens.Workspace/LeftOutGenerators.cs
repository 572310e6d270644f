using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Workspace;

/// <summary>
/// The framework generators an editor session left out of each project because nothing triggered them
/// (<see cref="IdleFrameworkGenerators"/>). The moment an edit types one of a generator's attribute names
/// into a document of that project, the generator goes back in, for good: from then on the compilation
/// has the code it writes, exactly as if it had never been left out. Checking an edit reads only the lines
/// it changed, so a keystroke costs a few string comparisons.
/// </summary>
public sealed class LeftOutGenerators
{
    private readonly Dictionary<ProjectId, IReadOnlyList<(AnalyzerReference Reference, string[] Triggers)>> _byProject;

    public LeftOutGenerators(Dictionary<ProjectId, IReadOnlyList<(AnalyzerReference Reference, string[] Triggers)>> byProject) => _byProject = byProject;

    public static LeftOutGenerators None { get; } = new([]);

    /// <summary>How many references are left out across the solution (for the log).</summary>
    public int Count => _byProject.Values.Sum(list => list.Count);

    /// <summary>These, with the given projects' entries replaced (projects loaded again after a change on disk).</summary>
    public LeftOutGenerators With(IReadOnlyDictionary<ProjectId, IReadOnlyList<(AnalyzerReference Reference, string[] Triggers)>> reloaded)
    {
        if (reloaded.Count == 0) return this;
        var merged = new Dictionary<ProjectId, IReadOnlyList<(AnalyzerReference Reference, string[] Triggers)>>(_byProject);
        foreach (var (id, leftOut) in reloaded)
        {
            if (leftOut.Count == 0) merged.Remove(id);
            else merged[id] = leftOut;
        }
        return new LeftOutGenerators(merged);
    }

    /// <summary>
    /// The solution with the generators this document's new text triggers back in its project. Only the lines
    /// that changed since <paramref name="previous"/> are read (all of it when there is no previous text).
    /// </summary>
    public Solution Restore(Solution solution, DocumentId document, SourceText text, SourceText? previous)
    {
        if (_byProject.Count == 0 || !_byProject.TryGetValue(document.ProjectId, out var leftOut)) return solution;
        var triggered = new List<AnalyzerReference>();
        foreach (var changed in ChangedLines(text, previous))
        {
            foreach (var (reference, triggers) in leftOut)
                if (!triggered.Contains(reference) && triggers.Any(t => changed.Contains(t, StringComparison.Ordinal))) triggered.Add(reference);
        }
        if (triggered.Count == 0 || solution.GetProject(document.ProjectId) is not { } project) return solution;
        _byProject[document.ProjectId] = leftOut.Where(l => !triggered.Contains(l.Reference)).ToList();
        return project.AddAnalyzerReferences(triggered.Where(r => !project.AnalyzerReferences.Contains(r))).Solution;
    }

    private static IEnumerable<string> ChangedLines(SourceText text, SourceText? previous)
    {
        if (previous is null) { yield return text.ToString(); yield break; }
        foreach (var range in text.GetChangeRanges(previous))
        {
            int start = Math.Min(range.Span.Start, text.Length), end = Math.Min(range.Span.Start + range.NewLength, text.Length);
            // Whole lines: an attribute name typed one character at a time is only complete on its line.
            var first = text.Lines.GetLineFromPosition(start);
            var last = text.Lines.GetLineFromPosition(end);
            yield return text.ToString(TextSpan.FromBounds(first.Start, last.End));
        }
    }
}
