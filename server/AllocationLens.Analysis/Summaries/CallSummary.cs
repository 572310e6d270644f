using System.Collections.Immutable;

namespace AllocationLens.Analysis;

/// <summary>
/// What one call to a source method allocates each time it runs: the heap and boxed sites of the callee's
/// body (its own analysis's verdicts: a site it judges `stack` does not count), and of the source methods it
/// calls in turn, to <see cref="CallSummaries.MaxDepth"/> calls deep. Counts are sites, not objects: a site
/// in a loop counts once and is flagged (<see cref="InLoops"/>), since the loop's trip count is not known.
/// Plain data, as every engine result (invariant 2).
/// </summary>
/// <param name="Call">The call expression; hints go at its end.</param>
/// <param name="Callee">The callee as explanations name it: "Format(int)".</param>
/// <param name="Known">False when the call's target could not be known (a virtual call with several
/// implementations): then nothing is counted and <see cref="Resolution"/> says why.</param>
/// <param name="Resolution">Which implementation a virtual or interface call was assumed to reach, or why none.</param>
/// <param name="Notes">Where the summary stopped or what it left out (recursion, depth, lambda bodies, iterators).</param>
/// <param name="Certain">False when any count rests on an assumption ("may").</param>
/// <param name="DependsOn">The source files whose bodies the summary read (the callee's and its callees').</param>
public sealed record CallSummary(
    SourceSpan Call,
    string Callee,
    bool Known,
    int Heap,
    int Boxed,
    int HeapBytes,
    int BoxedBytes,
    bool UnknownBytes,
    int InLoops,
    ImmutableArray<SummarySite> Sites,
    string? Resolution,
    ImmutableArray<string> Notes,
    bool Certain,
    ImmutableArray<string> DependsOn)
{
    /// <summary>Heap and boxed sites reached on each call.</summary>
    public int Total => Heap + Boxed;

    /// <summary>Bytes of the sites whose size is static (a lower bound when <see cref="UnknownBytes"/>).</summary>
    public int Bytes => HeapBytes + BoxedBytes;

    /// <summary>
    /// One sentence: "`Format(int)` allocates on each call: 2 heap (96 B), 1 boxed (24 B); 1 in a loop (inside `Helper`)".
    /// </summary>
    public string Sentence
    {
        get
        {
            var who = $"`{Callee}`";
            if (!Known) return $"{who}: what it allocates could not be known: {Resolution}";
            if (Total == 0) return $"{who} allocates nothing on each call (in source{(Certain ? "" : "; may be incomplete")})";
            var parts = new List<string>();
            if (Heap > 0) parts.Add($"{Heap} heap{Size(HeapBytes, AllocationKind.Heap)}");
            if (Boxed > 0) parts.Add($"{Boxed} boxed{Size(BoxedBytes, AllocationKind.Boxed)}");
            var text = $"{who} {(Certain ? "allocates" : "allocates (may)")} on each call: {string.Join(", ", parts)}";
            if (InLoops > 0)
            {
                var inside = Sites.Where(s => s.InLoop).Select(s => s.Inside).Distinct().Take(2).Select(n => $"`{n}`");
                text += $"; {InLoops} in a loop (inside {string.Join(", ", inside)})";
            }
            return text;
        }
    }

    /// <summary>" (96 B)", " (≥ 96 B)" when some site of that kind has no static size, nothing when none has one.</summary>
    private string Size(int bytes, AllocationKind kind)
    {
        if (bytes == 0) return "";
        return Sites.Any(s => s.Kind == kind && s.Bytes is null) ? $" (≥ {bytes} B)" : $" ({bytes} B)";
    }
}

/// <summary>One heap or boxed site a call reaches, and the method whose body holds it.</summary>
/// <param name="InLoop">In a loop of its own method, or reached through a call that sits in a loop.</param>
/// <param name="Inside">The method whose body holds the site ("Helper").</param>
/// <param name="Depth">1 for the callee's own body, 2 for a callee of the callee, and so on.</param>
public sealed record SummarySite(SourceSpan Where, AllocationKind Kind, string Category, string Subject, int? Bytes, bool InLoop, string Inside, int Depth, bool Certain, string Message);
