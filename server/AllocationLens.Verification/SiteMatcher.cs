using AllocationLens.Analysis;

namespace AllocationLens.Verification;

/// <summary>One runtime's JIT verdict on a site: Kind is exactly "heap" or "stack".</summary>
public sealed record JitVerdict(string Runtime, string Kind);

/// <summary>
/// Maps judged IL allocations to the engine's sites. An IL instruction's PDB sequence point (a
/// statement or expression range) must contain the site's start; among the candidates the tightest
/// sequence point wins, so a lambda's own body beats the statement that creates the lambda. Inside
/// one sequence point, compatible instructions pair with sites in source order, preferring the same
/// type name. Sites of the same kind that share a sequence point are exact only because the compiler
/// emits them in evaluation order, which is source order for everything this tool marks.
/// </summary>
public static class SiteMatcher
{
    /// <summary>The site categories the JIT can judge: a GC heap object the method's own IL asks for.</summary>
    public static bool IsJudgeable(AllocationSite site) => site.Category is "object" or "closure" or "delegate" or "array" or "params" or "box" or "collection";

    /// <summary>
    /// A site a JIT verdict means something for: a judgeable category whose verdict rests on what the JIT
    /// does (not a compiler-cached delegate, an empty array or a box of null). The denominator of Verify's coverage.
    /// </summary>
    public static bool ExpectsJitVerdict(AllocationSite site) => IsJudgeable(site) && !site.VerdictNeedsNoJit;

    private static bool Compatible(AllocationSite site, IlAllocation a) => site.Category switch
    {
        // A closure is the compiler's display class; an object site never takes one (and the reverse),
        // so a closure cannot borrow the verdict of a `new` in the same statement.
        "object" => a.Kind == "object" && !IsDisplayClass(a.TypeName),
        "closure" => a.Kind == "object" && IsDisplayClass(a.TypeName),
        // A delegate the compiler caches (the site's verdict needs no JIT) pairs only with a cached
        // `newobj; dup; stsfld`, and every other delegate only with one that is not: in one statement a
        // cached `select x` lambda could otherwise take the enclosing lambda's allocation, and its heap verdict.
        "delegate" => a.Kind == "delegate" && a.Cached == site.VerdictNeedsNoJit,
        "array" or "params" => a.Kind == "array",
        "box" => a.Kind == "box",
        "collection" => a.Kind is "array" or "object",
        _ => false,
    };

    public static void Match(IReadOnlyList<AllocationSite> sites, string runtime, IReadOnlyList<JudgedAllocation> judged,
        Dictionary<AllocationSite, List<JitVerdict>> verdicts, Dictionary<AllocationSite, List<string>> notes)
    {
        var taken = new HashSet<JudgedAllocation>(ReferenceEqualityComparer.Instance);
        // Grouped by document once (in IL order within each), so a project's sites do not each scan every allocation.
        var byDocument = judged.Where(j => j.Allocation.Document is not null)
            .GroupBy(j => NormalizePath(j.Allocation.Document!), PathComparer)
            .ToDictionary(g => g.Key, g => g.ToList(), PathComparer);
        // A site whose verdict needs no JIT mostly has no allocating instruction of its own (an empty params or
        // collection array is `Array.Empty`), so it must not take a neighbour's: in one statement it would, in
        // source order. Two have one and claim it, with no verdict: a cached delegate (its once-per-process
        // `newobj`, see Compatible) and a box of a null constant (`box int?` of null allocates nothing, which
        // the listing cannot show), so that no other site in the statement takes it.
        var ordered = sites.Where(s => IsJudgeable(s) && (!s.VerdictNeedsNoJit || s.Category is "delegate" or "box"))
            .OrderBy(s => s.Where.Path, StringComparer.Ordinal).ThenBy(s => s.Where.Span.Start);
        foreach (var site in ordered)
        {
            if (!byDocument.TryGetValue(NormalizePath(site.Where.Path), out var candidates)) continue;
            int line = site.Where.Lines.Start.Line + 1, column = site.Where.Lines.Start.Character + 1;
            JudgedAllocation? best = null;
            long bestSize = long.MaxValue;
            bool bestNamed = false;
            if (site.Category == "closure")
            {
                best = ClosureAllocation(site, candidates, taken);
                if (best is null) continue;
                candidates = [];
            }
            foreach (var j in candidates)
            {
                var a = j.Allocation;
                if (taken.Contains(j) || !Compatible(site, a)) continue;
                if (!Contains(a, line, column)) continue;
                long size = (long)(a.EndLine - a.Line) * 100_000 + (a.EndColumn - a.Column);
                bool named = SameName(site, a);
                // Tightest range first; within it, the same type name; then IL order (the list is in IL order).
                if (size < bestSize || size == bestSize && named && !bestNamed)
                {
                    best = j; bestSize = size; bestNamed = named;
                }
            }
            // A site that starts before its statement's sequence point on the same line (a constructor
            // initializer's params array: the site starts at `:`, the sequence point at `base(`) takes the
            // first compatible instruction whose range starts inside the site's own span on that line.
            best ??= StartsInside(site, candidates, taken, line, column);
            if (best is null) continue;
            taken.Add(best);
            if (site.VerdictNeedsNoJit) continue; // claimed, never judged
            if (best.Kind is { } kind)
            {
                if (!verdicts.TryGetValue(site, out var list)) verdicts[site] = list = [];
                list.Add(new JitVerdict(runtime, kind));
            }
            // A cached delegate (no kind, no note): the site claims it and stays unjudged.
            else if (best.Note is { } note)
            {
                if (!notes.TryGetValue(site, out var list)) notes[site] = list = [];
                list.Add($".NET {runtime}: {note}");
            }
        }
    }

    /// <summary>
    /// A closure site's display-class allocation. The site is the first captured variable's declaration,
    /// while the `newobj` sits where the scope is entered (IL 0 for a method's parameters, the block's
    /// `{` for its locals), so sequence points cannot pair them. The display class's fields can: the
    /// compiler names them after the captured variables. Of the classes that hold every variable the
    /// site names, the nearest one (by line) in the same document, then the first in IL order.
    /// </summary>
    private static JudgedAllocation? ClosureAllocation(AllocationSite site, List<JudgedAllocation> candidates, HashSet<JudgedAllocation> taken)
    {
        var names = CapturedNames(site.Subject);
        if (names.Count == 0) return null;
        int line = site.Where.Lines.Start.Line + 1;
        JudgedAllocation? best = null;
        int bestDistance = int.MaxValue;
        foreach (var j in candidates)
        {
            var a = j.Allocation;
            if (taken.Contains(j) || a.CapturedFields is not { } fields || !names.All(n => fields.Contains(n, StringComparer.Ordinal))) continue;
            int distance = Math.Abs(a.Line - line);
            if (distance < bestDistance) { best = j; bestDistance = distance; }
        }
        return best;
    }

    private static JudgedAllocation? StartsInside(AllocationSite site, List<JudgedAllocation> candidates, HashSet<JudgedAllocation> taken, int line, int column)
    {
        int endColumn = site.Where.Lines.End.Line == site.Where.Lines.Start.Line ? site.Where.Lines.End.Character + 1 : int.MaxValue;
        foreach (var j in candidates)
        {
            var a = j.Allocation;
            if (!taken.Contains(j) && Compatible(site, a) && a.Line == line && a.Column > column && a.Column < endColumn) return j;
        }
        return null;
    }

    /// <summary>"closure over `a`, `b`" → a, b.</summary>
    private static List<string> CapturedNames(string subject)
    {
        var names = new List<string>();
        for (int start = subject.IndexOf('`'); start >= 0; start = subject.IndexOf('`', start + 1))
        {
            int end = subject.IndexOf('`', start + 1);
            if (end < 0) break;
            names.Add(subject[(start + 1)..end]);
            start = end;
        }
        return names;
    }

    private static bool Contains(IlAllocation a, int line, int column) => Contains(a.Line, a.Column, a.EndLine, a.EndColumn, line, column);

    /// <summary>Whether a sequence point's range (1-based, end exclusive) contains a 1-based position.</summary>
    public static bool Contains(int startLine, int startColumn, int endLine, int endColumn, int line, int column) =>
        (line > startLine || line == startLine && column >= startColumn) && (line < endLine || line == endLine && column < endColumn);

    /// <summary>
    /// The site a measured allocation belongs to, given the sequence point (1-based, end exclusive) of the
    /// innermost user frame that made it and the allocated type's name as the runtime spells it. As for IL
    /// allocations above, the sequence point must contain the site's start; a display class goes only to a
    /// closure site and anything else never does; among the rest, the site whose type has the allocated
    /// type's name wins, then the first in source order. An allocation made inside the framework is charged
    /// the same way, so the call site that led there takes it. A `stack` site takes only an allocation of its
    /// own type: otherwise an allocation the statement makes elsewhere would read as its verdict proven
    /// wrong. Null: no site there (an unexplained allocation).
    /// </summary>
    public static AllocationSite? SiteForSample(IEnumerable<AllocationSite> documentSites, int line, int column, int endLine, int endColumn, string allocatedType)
    {
        bool displayClass = IsDisplayClass(allocatedType);
        AllocationSite? best = null;
        bool bestNamed = false;
        foreach (var site in documentSites)
        {
            if (site.Category == "closure" != displayClass) continue;
            if (!Contains(line, column, endLine, endColumn, site.Where.Lines.Start.Line + 1, site.Where.Lines.Start.Character + 1)) continue;
            // An array of T is not a T: the names compare without their brackets, so the arrays must agree too.
            bool named = SameName(site.TypeName, allocatedType) && IsArray(site.TypeName) == IsArray(allocatedType);
            if (site.Kind == AllocationKind.Stack && !named && !displayClass) continue;
            if (best is null || named && !bestNamed || named == bestNamed && site.Where.Span.Start < best.Where.Span.Start)
            {
                best = site; bestNamed = named;
            }
        }
        return best;
    }

    /// <summary>
    /// Whether a type name, as C# or the runtime spells it, is an array's: it ends with `[]` or `[,…]`
    /// ("int[]", "System.Int32[,]"), never with generic arguments ("Token`1[System.Char]").
    /// </summary>
    public static bool IsArray(string typeName)
    {
        if (!typeName.EndsWith(']')) return false;
        int open = typeName.LastIndexOf('[');
        return typeName.AsSpan(open + 1, typeName.Length - open - 2).TrimStart(',').IsEmpty;
    }

    /// <summary>Whether a runtime type name is a compiler-generated closure class.</summary>
    public static bool IsDisplayClass(string typeName) => typeName.Contains("<>c__DisplayClass", StringComparison.Ordinal);

    private static readonly StringComparer PathComparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private static string NormalizePath(string path) => Path.GetFullPath(path);

    private static bool SameName(AllocationSite site, IlAllocation a) => SameName(site.TypeName, a.TypeName);

    private static bool SameName(string siteType, string runtimeType)
    {
        var il = SimpleName(runtimeType);
        var engine = SimpleName(siteType);
        return il.Length > 0 && string.Equals(il, Keyword(engine), StringComparison.Ordinal);
    }

    private static string SimpleName(string name)
    {
        int cut = name.IndexOfAny(['<', '`', '[']);
        var head = cut < 0 ? name : name[..cut];
        int dot = head.LastIndexOfAny(['.', '+']);
        return head[(dot + 1)..];
    }

    private static string Keyword(string name) => name switch
    {
        "int" => "Int32", "long" => "Int64", "short" => "Int16", "byte" => "Byte", "sbyte" => "SByte", "uint" => "UInt32", "ulong" => "UInt64",
        "ushort" => "UInt16", "char" => "Char", "bool" => "Boolean", "double" => "Double", "float" => "Single", "decimal" => "Decimal",
        "object" => "Object", "string" => "String", "nint" => "IntPtr", "nuint" => "UIntPtr",
        _ => name,
    };
}
