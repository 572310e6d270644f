namespace AllocationLens.Verification;

/// <summary>
/// The JIT's verdict on one allocating IL instruction: "heap" when a helper call for it remains in
/// the optimized code, "stack" when none does (stack-allocated or removed as dead), or null with a
/// note when the listing cannot say which of several same-typed allocations remained; neither for a
/// cached delegate (`newobj; dup; stsfld`), which runs once per process: it is listed only so a site can
/// claim it.
/// </summary>
public sealed record JudgedAllocation(HostMethod Method, IlAllocation Allocation, string? Kind, string? Note);

/// <summary>A method the JIT could not be asked about, with the reason a user can act on.</summary>
public sealed record UnpreparedMethod(string Method, string Reason);

/// <summary>
/// Pairs the host's methods with the JIT's listings and counts, per method table, the allocation
/// helpers left against the IL instructions that allocate that type. Exact when every instruction of
/// a type is kept or none is; when only some of several same-typed instructions remain, the runtime's IL
/// map places each remaining call in IL order (<see cref="AllocationsByIlOrder"/>), and what it cannot
/// place stays unjudged (release listings print no IL offsets of their own). A method's listing also holds the
/// code of callees the JIT inlined into it, so a kept helper for type T may belong to an inlinee:
/// the count then errs towards `heap`, never towards `stack`.
/// </summary>
public static class JitVerdicts
{
    public static (List<JudgedAllocation> Judged, List<UnpreparedMethod> Unprepared) Judge(HostReport report, IReadOnlyList<ListedMethod> listing)
    {
        var judged = new List<JudgedAllocation>();
        var unprepared = new List<UnpreparedMethod>();
        var used = new bool[listing.Count];
        int cursor = 0;
        foreach (var method in report.Methods)
        {
            if (!method.Prepared)
            {
                var reason = method.Reason ?? "not prepared";
                unprepared.Add(new UnpreparedMethod(method.Name, reason));
                NoteEach(method, $"the JIT could not compile {method.MethodName}: {reason}", judged);
                continue;
            }
            int index = Find(listing, used, method, cursor);
            if (index < 0) index = Find(listing, used, method, 0);
            if (index < 0)
            {
                unprepared.Add(new UnpreparedMethod(method.Name, "the JIT wrote no listing for it"));
                NoteEach(method, $"the JIT wrote no listing for {method.MethodName}", judged);
                continue;
            }
            used[index] = true;
            cursor = index + 1;
            JudgeMethod(method, listing[index], judged);
        }
        if (report.CrashedIn is { } crashed) unprepared.Add(new UnpreparedMethod(crashed, "the JIT host crashed while compiling it"));
        return (judged, unprepared);
    }

    /// <summary>
    /// A method with no verdicts still lists its allocations, each with the reason, so every site in it
    /// says why it stays unjudged instead of looking merely unmatched. Cached delegates stay note-less:
    /// their verdict needs no JIT.
    /// </summary>
    private static void NoteEach(HostMethod method, string note, List<JudgedAllocation> judged)
    {
        foreach (var allocation in method.Allocations)
            judged.Add(new(method, allocation, null, allocation.Cached ? null : note));
    }

    /// <summary>
    /// For an allocation whose method table is known: the instructions that allocate that type (a boxed int?
    /// shares int's table when the JIT expands the box inline, and is int?'s through CORINFO_HELP_BOX_NULLABLE),
    /// and the allocator calls for them the listing keeps, cached ones (once per process) left out.
    /// </summary>
    private static (int Instructions, int Kept) Tally(HostMethod method, ListedMethod listed, IlAllocation allocation)
    {
        var shares = SameType(allocation);
        int instructions = method.Allocations.Count(a => shares(a) && !a.Cached);
        int cachedSameType = method.Allocations.Count(a => shares(a) && a.Cached);
        int kept = Math.Max(0, listed.Allocations.Count(c => method.Allocations.Any(a => shares(a) && a.Allocates(c.MethodTable))) - cachedSameType);
        return (instructions, kept);
    }

    /// <summary>
    /// The verdict on one of several same-typed instructions that counting could not judge, from where the
    /// remaining calls sit in IL order; null when that cannot say either. Computed once per type and method.
    /// </summary>
    private static string? ByIlOrder(HostMethod method, ListedMethod listed, IlAllocation allocation, Dictionary<long, Dictionary<IlAllocation, string>?> cache)
    {
        long mt = allocation.MethodTable!.Value;
        if (!cache.TryGetValue(mt, out var verdicts))
        {
            var group = method.Allocations.Where(SameType(allocation)).ToList();
            cache[mt] = verdicts = AllocationsByIlOrder.Judge(method, listed, group, c => group.Any(a => a.Allocates(c.MethodTable)));
        }
        return verdicts is not null && verdicts.TryGetValue(allocation, out var kind) ? kind : null;
    }

    /// <summary>Whether an instruction allocates the same type as <paramref name="allocation"/>, whose method table is known (a boxed int? and an int share int's).</summary>
    private static Func<IlAllocation, bool> SameType(IlAllocation allocation)
    {
        long mt = allocation.MethodTable!.Value;
        return a => a.MethodTable == mt || allocation.Allocates(a.NullableMethodTable) || a.Allocates(allocation.NullableMethodTable);
    }

    /// <summary>An allocator call whose method table no instruction of the method allocates (an inlinee's, or one the host could not name).</summary>
    private static bool HasUnclaimedCall(HostMethod method, ListedMethod listed) =>
        listed.Allocations.Any(c => c.MethodTable is { } mt && !method.Allocations.Any(a => a.Allocates(mt)));

    private static int Find(IReadOnlyList<ListedMethod> listing, bool[] used, HostMethod method, int from)
    {
        var type = JitListing.NormalizeType(method.TypeName);
        for (int i = from; i < listing.Count; i++)
            if (!used[i] && listing[i].MethodName == method.MethodName && listing[i].TypeName == type) return i;
        return -1;
    }

    private static void JudgeMethod(HostMethod method, ListedMethod listed, List<JudgedAllocation> judged)
    {
        int untraced = listed.Allocations.Count(c => c.MethodTable is null);
        var byIlOrder = new Dictionary<long, Dictionary<IlAllocation, string>?>();
        int lookups = method.Allocations.Count(a => a.MethodTable is null && !a.Cached && !a.TypeParameterBox);
        // Per traced type, the instructions whose allocator calls were not found: at most this many untraced calls may be theirs.
        int mayHaveLostTheirs = lookups == 0 ? 0
            : method.Allocations.Where(a => a.MethodTable is not null && !a.Cached).DistinctBy(a => a.MethodTable)
                .Sum(a => Tally(method, listed, a) is var t ? Math.Max(0, t.Instructions - t.Kept) : 0);
        foreach (var allocation in method.Allocations)
        {
            // Allocated once per process: not a per-call verdict. Still listed (no kind, no note), so the cached
            // lambda's own site takes it when SiteMatcher pairs in source order, and a capturing lambda later in
            // the same statement is not judged by it (Serilog, RestSharp: `.Where(x => ...).Select(Local)`).
            if (allocation.Cached) { judged.Add(new(method, allocation, null, null)); continue; }
            if (allocation.MethodTable is null)
            {
                // Shared generic code: the type comes from a run-time lookup, no constant names it, so
                // the listing's allocator calls for it are the untraced ones. None left, and no call
                // with a constant that no instruction claims either: every lookup allocation is gone.
                // At least one per lookup instruction, beyond those that traced instructions may have
                // lost to the tracer: every one remains.
                if (allocation.TypeParameterBox) judged.Add(new(method, allocation, null, "boxing T allocates only when T is a value type, and no value type satisfies T's constraints (in the shared code judged, the box is a no-op)"));
                else if (untraced == 0 && !HasUnclaimedCall(method, listed)) judged.Add(new(method, allocation, "stack", null));
                else if (untraced >= lookups + mayHaveLostTheirs) judged.Add(new(method, allocation, "heap", null));
                else judged.Add(new(method, allocation, null,
                    $"shared generic code allocates this type through a run-time lookup; {method.MethodName} keeps {untraced} allocator call(s) no constant names, for {lookups} such allocation(s) and other allocations that may have lost theirs, so the listing does not say which remain"));
                continue;
            }
            var (instructions, kept) = Tally(method, listed, allocation);
            if (kept >= instructions) judged.Add(new(method, allocation, "heap", null));
            else if (kept == 0 && untraced == 0) judged.Add(new(method, allocation, "stack", null));
            // Counting cannot tell: where each remaining call sits in IL order may (AllocationsByIlOrder).
            else if (ByIlOrder(method, listed, allocation, byIlOrder) is { } placed) judged.Add(new(method, allocation, placed, null));
            else if (kept == 0) judged.Add(new(method, allocation, null, "an allocator call's type could not be traced in the listing"));
            else judged.Add(new(method, allocation, null, listed.IlMap is null
                ? $"{kept} of {instructions} allocations of {allocation.TypeName} in {method.Name} remain; the listing does not say which"
                : $"{kept} of {instructions} allocations of {allocation.TypeName} in {method.Name} remain; the JIT's IL map places the remaining ones only to statements holding several of them"));
        }
    }
}
