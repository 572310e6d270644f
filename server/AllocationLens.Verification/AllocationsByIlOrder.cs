namespace AllocationLens.Verification;

/// <summary>
/// Tells apart several allocations of one type in a method, of which the listing keeps only some, by
/// where each kept helper call sits: its native offset, through the runtime's IL map, names the
/// statement it was compiled from, and the statement's IL range (up to the next mapped IL offset or
/// sequence point) holds the instructions it can be. A kept call whose range holds exactly one of
/// them makes that one `heap`; an instruction no kept call's range holds is `stack` (nothing of it is
/// left). Anything less certain stays unjudged: two same-typed allocations in one statement, a call the
/// map cannot place (prolog, unmapped code, no code bytes), or a call whose range holds none of them (an
/// inlined callee's allocation, or code the JIT moved), since then the count is no longer theirs alone.
/// </summary>
public static class AllocationsByIlOrder
{
    /// <summary>
    /// Verdicts for <paramref name="group"/>, the same-typed instructions (cached delegates included, which
    /// take the calls of their once-per-process allocation and get no verdict); null when the map cannot
    /// place the group's calls. Instructions absent from the result stay unjudged.
    /// </summary>
    /// <param name="isGroupCall">Whether a traced helper call allocates the group's type.</param>
    public static Dictionary<IlAllocation, string>? Judge(HostMethod method, ListedMethod listed, IReadOnlyList<IlAllocation> group, Func<HelperCall, bool> isGroupCall)
    {
        if (listed.IlMap is not { } map) return null;
        var starts = map.IlStarts.Concat(method.SequencePoints).Distinct().Order().ToArray();
        var possiblyKept = new HashSet<IlAllocation>(ReferenceEqualityComparer.Instance);
        var surelyKept = new HashSet<IlAllocation>(ReferenceEqualityComparer.Instance);
        bool stackKnown = true;
        foreach (var call in listed.Allocations)
        {
            bool ours = call.MethodTable is not null && isGroupCall(call);
            if (!ours && call.MethodTable is not null) continue; // another type's call
            var candidates = Candidates(call, map, starts, group);
            if (ours)
            {
                if (candidates is null || candidates.Count == 0) return null;
                // The call of a cached delegate's once-per-process allocation is no per-call verdict's.
                if (candidates.All(a => a.Cached)) continue;
                var live = candidates.Where(a => !a.Cached).ToList();
                possiblyKept.UnionWith(live);
                if (live.Count == 1 && candidates.Count == 1) surelyKept.Add(live[0]);
            }
            // An untraced call may allocate this type: whatever its range holds is not `stack`, and a call the map
            // cannot place leaves no instruction provably gone.
            else if (candidates is null) stackKnown = false;
            else possiblyKept.UnionWith(candidates.Where(a => !a.Cached));
        }
        var verdicts = new Dictionary<IlAllocation, string>(ReferenceEqualityComparer.Instance);
        foreach (var a in group)
        {
            if (a.Cached) continue;
            if (surelyKept.Contains(a)) verdicts[a] = "heap";
            else if (stackKnown && !possiblyKept.Contains(a)) verdicts[a] = "stack";
        }
        return verdicts;
    }

    /// <summary>The group's instructions in the IL range the call was compiled from; null when the map cannot place it.</summary>
    private static List<IlAllocation>? Candidates(HelperCall call, IlOffsetMap map, int[] starts, IReadOnlyList<IlAllocation> group)
    {
        if (call.NativeOffset is not { } native) return null;
        var offsets = map.IlOffsetsAt(native);
        if (offsets.Count == 0) return null;
        var candidates = new List<IlAllocation>();
        foreach (var from in offsets)
        {
            int next = Array.BinarySearch(starts, from + 1);
            if (next < 0) next = ~next;
            int to = next < starts.Length ? starts[next] : int.MaxValue;
            foreach (var a in group)
                if (a.IlOffset >= from && a.IlOffset < to && !candidates.Contains(a)) candidates.Add(a);
        }
        return candidates;
    }
}
